"""Plain-text tables line up by terminal columns, whatever the script of the names."""

from scfchain.texttable import clip, display_width, render

CHINESE_NAME = "宁波恒达汽车零部件有限公司"  # 13 characters, 26 columns


def test_a_chinese_character_takes_two_columns_and_a_latin_one_takes_one():
    assert (display_width("宁波"), display_width("Ab"), display_width("ü")) == (4, 2, 1)


def test_a_combining_accent_takes_no_column():
    assert display_width("u\u0308") == 1


def test_a_name_that_fits_is_not_clipped():
    assert clip("Voltmeer", 24) == "Voltmeer"


def test_a_long_chinese_name_is_clipped_to_the_column_width_with_an_ellipsis():
    clipped = clip(CHINESE_NAME, 24)
    assert (clipped.endswith("…"), display_width(clipped) <= 24, clipped[:4]) == (
        True,
        True,
        "宁波恒达",
    )


def test_columns_after_a_chinese_name_start_at_the_same_terminal_column_as_after_a_latin_one():
    lines = render(("supplier", "cur"), [("宁波恒达", "CNY"), ("Voltmeer B.V.", "EUR")])
    rows = zip(lines[2:], ("CNY", "EUR"), strict=True)
    starts = {display_width(line[: line.index(currency)]) for line, currency in rows}
    assert starts == {display_width("Voltmeer B.V.") + 2}


def test_the_rule_under_the_header_is_as_wide_as_each_column():
    lines = render(("a", "bb"), [("宁波", "x")])
    assert lines[1] == "----  --"


def test_the_last_column_carries_no_trailing_spaces():
    lines = render(("name", "reason"), [("x", "short"), ("y", "a much longer reason")])
    assert all(line == line.rstrip() for line in lines)


def test_a_zero_width_space_and_a_soft_hyphen_take_no_column():
    assert display_width("Volt\u200bmeer\u00ad") == len("Voltmeer")


def test_a_tab_inside_a_cell_becomes_a_space_so_the_columns_stay_aligned():
    lines = render(("name", "cur"), [("a\tb", "EUR"), ("abc", "USD")])
    assert lines[2].index("EUR") == lines[3].index("USD")
