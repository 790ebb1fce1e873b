// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @title BenchFloor
/// @notice The floor of a confirmed receivable, as a baseline for `make bench`: it writes only the
/// storage a confirmed receivable needs (the registry's packed record, three slots, and the
/// supplier's balance, one slot) and emits one log (ERC-1155 TransferSingle). No roles, no
/// signature, no checks: a lower bound, not a usable registry.
contract BenchFloor {
    /// @notice Same packing as IReceivableRegistry.Receivable: three slots.
    struct Record {
        address supplier;
        uint40 dueDate;
        uint8 status;
        bytes3 currency;
        address debtor;
        uint96 faceValue;
        bytes32 documentHash;
    }

    /// @notice ERC-1155's mint event.
    event TransferSingle(
        address indexed operator,
        address indexed from,
        address indexed to,
        uint256 id,
        uint256 value
    );

    mapping(uint256 id => Record) public records;
    mapping(uint256 id => mapping(address holder => uint256)) public balanceOf;

    /// @notice Stores a confirmed receivable of the caller and mints its face value to the caller.
    function issue(
        bytes32 fingerprint,
        address debtor,
        uint96 faceValue,
        bytes3 currency,
        uint40 dueDate,
        bytes32 documentHash
    ) external {
        uint256 id = uint256(fingerprint);
        records[id] = Record(msg.sender, dueDate, 3, currency, debtor, faceValue, documentHash);
        balanceOf[id][msg.sender] = faceValue;
        emit TransferSingle(msg.sender, address(0), msg.sender, id, faceValue);
    }
}
