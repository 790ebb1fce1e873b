// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title SignedActions
/// @notice EIP-712 signatures that any member may relay, each usable once: bound to this chain
/// and this contract by the domain, to its signer by a nonce, and to a deadline.
/// @dev Nonces are unordered (a bitmap per signer, as in Permit2), so that an integrator can
/// submit thousands of signed actions in any order and a lost one blocks nothing. EOA signatures
/// are checked by ECDSA with low-s only (no malleable twin); contract signers by ERC-1271.
abstract contract SignedActions is EIP712 {
    /// @notice The signature does not come from `signer`.
    error InvalidSignature(address signer);
    /// @notice The signature's deadline has passed.
    error SignatureExpired(uint256 deadline);
    /// @notice The nonce was used (or invalidated) before.
    error NonceUsed(address signer, uint256 nonce);

    /// @notice Emitted when `signer` uses or invalidates `nonce`.
    event NonceSpent(address indexed signer, uint256 nonce);

    /// @notice Bitmap of spent nonces: word index => 256 nonce bits, per signer.
    mapping(address signer => mapping(uint256 word => uint256 bits)) public nonceBitmap;

    /// @notice True when `signer` has used or invalidated `nonce`.
    function isNonceUsed(address signer, uint256 nonce) public view returns (bool) {
        return nonceBitmap[signer][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @notice Invalidates one of the caller's nonces, so a signature given with it cannot be used.
    function invalidateNonce(uint256 nonce) external {
        _spendNonce(msg.sender, nonce);
    }

    /// @notice The EIP-712 domain separator of this contract on this chain.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev Checks deadline and signature of `structHash` by `signer`, then spends the nonce.
    function _useSignature(
        address signer,
        bytes32 structHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) internal {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        if (
            !SignatureChecker.isValidSignatureNow(signer, _hashTypedDataV4(structHash), signature)
        ) {
            revert InvalidSignature(signer);
        }
        _spendNonce(signer, nonce);
    }

    function _spendNonce(address signer, uint256 nonce) private {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 bits = nonceBitmap[signer][nonce >> 8];
        if (bits & bit != 0) revert NonceUsed(signer, nonce);
        nonceBitmap[signer][nonce >> 8] = bits | bit;
        emit NonceSpent(signer, nonce);
    }
}
