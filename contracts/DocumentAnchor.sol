// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {IReceivableRegistry} from "../interfaces/IReceivableRegistry.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IDocumentAnchor} from "../interfaces/IDocumentAnchor.sol";

/// @title DocumentAnchor
/// @notice Anchors the hashes of a receivable's business documents (contract, delivery note,
/// acceptance certificate) so that anyone holding a document can check it against the chain:
/// which receivable, anchored by whom, and when. Only hashes are stored, never the documents.
contract DocumentAnchor is IDocumentAnchor {
    /// @notice The hash is zero.
    error EmptyDocumentHash();
    /// @notice The hash was anchored before (to this or another receivable).
    error AlreadyAnchored(bytes32 documentHash, uint256 receivableId);
    /// @notice The receivable does not exist.
    error UnknownReceivable(uint256 id);
    /// @notice Only the receivable's supplier or debtor may anchor its documents.
    error NotAParty(uint256 id, address account);
    /// @notice The platform is paused.
    error PlatformPaused();

    /// @notice The receivable registry whose receivables documents belong to.
    IReceivableRegistry public immutable registry;
    /// @notice The member registry (for the pause switch).
    IMemberRegistry public immutable members;

    mapping(bytes32 documentHash => Anchor) private _anchors;
    mapping(uint256 id => bytes32[] hashes) private _documentsOf;

    /// @param memberRegistry The consortium's member registry.
    /// @param receivableRegistry The registry of receivables.
    constructor(IMemberRegistry memberRegistry, IReceivableRegistry receivableRegistry) {
        members = memberRegistry;
        registry = receivableRegistry;
    }

    /// @inheritdoc IDocumentAnchor
    /// @param id The receivable's token id.
    /// @param documentHash sha256 (or keccak256) of the document's bytes.
    /// @param kind What the document is, e.g. bytes32("delivery-note").
    function anchor(uint256 id, bytes32 documentHash, bytes32 kind) external {
        if (members.paused()) revert PlatformPaused();
        if (documentHash == bytes32(0)) revert EmptyDocumentHash();
        Anchor storage existing = _anchors[documentHash];
        if (existing.anchoredBy != address(0))
            revert AlreadyAnchored(documentHash, existing.receivableId);
        IReceivableRegistry.Receivable memory r = registry.receivable(id);
        if (r.status == IReceivableRegistry.Status.None) revert UnknownReceivable(id);
        if (msg.sender != r.supplier && msg.sender != r.debtor) revert NotAParty(id, msg.sender);

        _anchors[documentHash] = Anchor(id, msg.sender, uint40(block.timestamp), kind);
        _documentsOf[id].push(documentHash);
        emit DocumentAnchored(documentHash, id, msg.sender, kind);
    }

    /// @inheritdoc IDocumentAnchor
    function verify(bytes32 documentHash) external view returns (Anchor memory) {
        return _anchors[documentHash];
    }

    /// @inheritdoc IDocumentAnchor
    function documentsOf(uint256 id) external view returns (bytes32[] memory) {
        return _documentsOf[id];
    }
}
