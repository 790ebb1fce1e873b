// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IDocumentAnchor
/// @notice Hashes of a receivable's business documents, checkable by anyone holding a document.
interface IDocumentAnchor {
    /// @notice Where and by whom a document hash was anchored.
    struct Anchor {
        uint256 receivableId;
        address anchoredBy;
        uint40 anchoredAt;
        bytes32 kind;
    }

    /// @notice A document of kind `kind` was anchored to receivable `id` by `anchoredBy`.
    event DocumentAnchored(
        bytes32 indexed documentHash,
        uint256 indexed id,
        address indexed anchoredBy,
        bytes32 kind
    );

    /// @notice Anchors `documentHash` (a document of `kind`) to receivable `id`.
    function anchor(uint256 id, bytes32 documentHash, bytes32 kind) external;

    /// @notice Where `documentHash` is anchored; `anchoredBy` is zero when it is not.
    function verify(bytes32 documentHash) external view returns (Anchor memory);

    /// @notice Every document hash anchored to receivable `id`, in the order anchored.
    function documentsOf(uint256 id) external view returns (bytes32[] memory);
}
