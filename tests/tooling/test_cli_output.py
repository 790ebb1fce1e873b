"""Standard output whose reader has gone (`scf ... | head`): the command goes on and keeps its
own exit code; what it still prints is dropped without an error."""

import io
import os

from scfchain.cli.output import PipeSafeStream


def closed_pipe() -> io.TextIOWrapper:
    """A text stream writing into a pipe whose reading end is already closed."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    return io.TextIOWrapper(io.FileIO(write_end, "w"), write_through=True)


def test_writing_to_a_pipe_whose_reader_has_gone_raises_nothing():
    stream = PipeSafeStream(closed_pipe())
    stream.write("a line nobody reads\n")
    stream.flush()
    assert stream.broken


def test_after_the_reader_has_gone_later_output_is_dropped_quietly():
    stream = PipeSafeStream(closed_pipe())
    stream.write("first\n")
    assert stream.write("second\n") == len("second\n")


def test_output_to_a_reader_still_there_is_passed_on_unchanged():
    target = io.StringIO()
    stream = PipeSafeStream(target)
    stream.write("kept\n")
    assert (target.getvalue(), stream.broken) == ("kept\n", False)
