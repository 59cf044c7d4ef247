// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title NotaryRegistry
/// @notice Anchors Merkle roots of batches of notarised documents and keeps their status (revoked, suspended).
///         A city office (admin) authorises issuers (schools, departments); each issuer key has a validity window
///         in blocks, so what it anchored while valid stays valid after it is retired. No personal data is stored:
///         only batch roots, counts, issuers and status.
/// @dev No upgrade proxy: a new version is deployed at a new address. Issuers are NOT managed through
///      grantRole/revokeRole (those revert for ISSUER_ROLE) but through addIssuer/retireIssuer/markCompromised,
///      so that the registry always knows *when* a key was valid. hasRole(ISSUER_ROLE, a) reflects the registry.
contract NotaryRegistry is AccessControl, EIP712 {
    /// @notice Role of issuer keys (managed via the issuer registry, see addIssuer).
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice Role that may revoke, suspend and unsuspend any batch or document, without issuing rights.
    bytes32 public constant REVOKER_ROLE = keccak256("REVOKER_ROLE");
    /// @notice EIP-712 type of the issuer's signature over a batch.
    bytes32 public constant BATCH_TYPEHASH = keccak256("Batch(bytes32 root,uint32 documentCount,uint64 issuedAt)");

    /// @notice Status values of a batch or a document.
    uint8 public constant STATE_ACTIVE = 0;
    uint8 public constant STATE_REVOKED = 1;
    uint8 public constant STATE_SUSPENDED = 2;

    /// @notice Largest batch the packed record can count.
    uint256 public constant MAX_BATCH_SIZE = type(uint24).max;

    /// @dev One storage slot: 160 + 24 + 40 + 32 bits. A uint32 timestamp lasts until 2106.
    struct Batch {
        address issuer;
        uint24 documentCount;
        uint40 blockNumber;
        uint32 timestamp;
    }

    /// @dev Block numbers of the key's validity window; compromisedFrom is a unix time (0 = not compromised).
    struct Issuer {
        uint40 authorisedFromBlock;
        uint40 retiredAtBlock;
        uint40 compromisedFrom;
        uint40 compromisedMarkedAtBlock;
        string name;
    }

    /// @dev Written only when a status changes, never when anchoring (keeps anchoring cheap). `byAuthority` marks
    ///      a status set by a revoker or the admin: the batch's issuer cannot lift such a suspension.
    struct Status {
        uint8 state;
        uint8 reason;
        uint40 since;
        uint40 blockNumber;
        bool byAuthority;
    }

    mapping(bytes32 root => Batch) private _batches;
    mapping(bytes32 root => Status) private _batchStatus;
    /// @dev Keyed by keccak256(abi.encode(root, leaf)): a leaf copied into another batch is a different document.
    mapping(bytes32 key => Status) private _documentStatus;
    mapping(address issuer => Issuer) private _issuers;

    event IssuerAdded(address indexed issuer, string name, uint256 authorisedFromBlock);
    event IssuerRenamed(address indexed issuer, string name);
    event IssuerRetired(address indexed issuer, uint256 retiredAtBlock);
    event IssuerCompromised(address indexed issuer, uint256 compromisedFrom);
    event BatchAnchored(bytes32 indexed root, address indexed issuer, uint256 documentCount);
    event BatchMetadata(bytes32 indexed root, bytes32 metadataHash, string metadataURI);
    event BatchStatusChanged(bytes32 indexed root, uint8 state, uint8 reason, address indexed by);
    event DocumentStatusChanged(
        bytes32 indexed root, bytes32 indexed leaf, uint8 state, uint8 reason, address indexed by
    );

    error IssuerNotAuthorised(address account);
    error ZeroRoot();
    error EmptyBatch();
    error BatchTooLarge(uint256 documentCount);
    error RootAlreadyAnchored(bytes32 root);
    error BatchNotAnchored(bytes32 root);
    error NotAllowedToChangeStatus(address account);
    error InvalidMerkleProof();
    error AlreadyRevoked();
    error AlreadySuspended();
    error NotSuspended();
    error IssuerAlreadyRegistered(address issuer);
    error UnknownIssuer(address issuer);
    error IssuerAlreadyRetired(address issuer);
    error IssuerAlreadyCompromised(address issuer);
    error CompromiseInFuture(uint256 compromisedFrom);
    error InvalidName();
    error ZeroAddress();
    error UseIssuerRegistry();

    /// @param admin The city office's admin key; it may add issuers and grant the revoker role.
    constructor(address admin) EIP712("NotaryRegistry", "1") {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ issuer registry (admin)

    /// @notice Authorise a new issuer key from the current block on.
    /// @dev A key is registered once: a retired or compromised key cannot come back (its history must stay true).
    /// @param issuer The issuer's address.
    /// @param name The display name a verifier shows, e.g. "Realschule am Park, Mannheim".
    function addIssuer(address issuer, string calldata name) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (issuer == address(0)) revert ZeroAddress();
        _checkName(name);
        Issuer storage record = _issuers[issuer];
        if (record.authorisedFromBlock != 0) revert IssuerAlreadyRegistered(issuer);
        record.authorisedFromBlock = SafeCast.toUint40(block.number);
        record.name = name;
        emit IssuerAdded(issuer, name, block.number);
        emit RoleGranted(ISSUER_ROLE, issuer, msg.sender);
    }

    /// @notice Change an issuer's display name (e.g. a school was renamed).
    /// @param issuer A registered issuer.
    /// @param name The new display name.
    function renameIssuer(address issuer, string calldata name) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _checkName(name);
        Issuer storage record = _registered(issuer);
        record.name = name;
        emit IssuerRenamed(issuer, name);
    }

    /// @notice Stop an issuer key from anchoring from this block on; what it anchored before stays valid.
    /// @param issuer An active issuer.
    function retireIssuer(address issuer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Issuer storage record = _registered(issuer);
        if (record.retiredAtBlock != 0) revert IssuerAlreadyRetired(issuer);
        record.retiredAtBlock = SafeCast.toUint40(block.number);
        emit IssuerRetired(issuer, block.number);
        emit RoleRevoked(ISSUER_ROLE, issuer, msg.sender);
    }

    /// @notice Declare an issuer key compromised from a point in time: batches it anchored at or after that time
    ///         are invalid; it can no longer anchor or change any status. Earlier batches stay valid.
    /// @param issuer A registered issuer (active or retired).
    /// @param compromisedFrom Unix time from which the key must be distrusted (not in the future; 0 = now).
    function markCompromised(address issuer, uint256 compromisedFrom) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Issuer storage record = _registered(issuer);
        if (record.compromisedFrom != 0) revert IssuerAlreadyCompromised(issuer);
        if (compromisedFrom == 0) compromisedFrom = block.timestamp;
        if (compromisedFrom > block.timestamp) revert CompromiseInFuture(compromisedFrom);
        record.compromisedFrom = SafeCast.toUint40(compromisedFrom);
        record.compromisedMarkedAtBlock = SafeCast.toUint40(block.number);
        if (record.retiredAtBlock == 0) {
            record.retiredAtBlock = SafeCast.toUint40(block.number);
            emit IssuerRetired(issuer, block.number);
            emit RoleRevoked(ISSUER_ROLE, issuer, msg.sender);
        }
        emit IssuerCompromised(issuer, compromisedFrom);
    }

    // ------------------------------------------------------------------ anchoring (issuers)

    /// @notice Anchor the Merkle root of a batch of documents. Costs one storage slot whatever the batch size.
    /// @param root The batch's Merkle root (OpenZeppelin StandardMerkleTree, sorted-pair keccak256).
    /// @param documentCount How many documents the batch holds (1 .. MAX_BATCH_SIZE).
    function anchor(bytes32 root, uint256 documentCount) external {
        _anchor(root, documentCount);
    }

    /// @notice Anchor a batch and publish a hash/URI of off-chain metadata (never personal data) in an event.
    /// @param root The batch's Merkle root.
    /// @param documentCount How many documents the batch holds.
    /// @param metadataHash A hash of the batch's metadata, e.g. of a run report.
    /// @param metadataURI Where the metadata may be found (may be empty).
    function anchorWithMetadata(
        bytes32 root,
        uint256 documentCount,
        bytes32 metadataHash,
        string calldata metadataURI
    ) external {
        _anchor(root, documentCount);
        emit BatchMetadata(root, metadataHash, metadataURI);
    }

    // ------------------------------------------------------------------ status (issuer of the batch, revoker, admin)

    /// @notice Revoke a whole batch for good.
    /// @param root An anchored batch root.
    /// @param reason A reason code (1 superseded, 2 issued-in-error, 3 fraud, 4 withdrawn, 5 key-compromise, 0 other).
    function revokeBatch(bytes32 root, uint8 reason) external {
        _setStatus(_batchStatus[root], STATE_REVOKED, reason, _statusAuthority(root));
        emit BatchStatusChanged(root, STATE_REVOKED, reason, msg.sender);
    }

    /// @notice Suspend a whole batch until it is unsuspended.
    /// @param root An anchored batch root.
    /// @param reason A reason code.
    function suspendBatch(bytes32 root, uint8 reason) external {
        _setStatus(_batchStatus[root], STATE_SUSPENDED, reason, _statusAuthority(root));
        emit BatchStatusChanged(root, STATE_SUSPENDED, reason, msg.sender);
    }

    /// @notice Lift a batch's suspension (one set by a revoker or the admin only by a revoker or the admin).
    /// @param root A suspended batch root.
    function unsuspendBatch(bytes32 root) external {
        _setStatus(_batchStatus[root], STATE_ACTIVE, 0, _statusAuthority(root));
        emit BatchStatusChanged(root, STATE_ACTIVE, 0, msg.sender);
    }

    /// @notice Revoke one document for good; the leaf is proven to be in the batch.
    /// @param root An anchored batch root.
    /// @param leaf The document's leaf.
    /// @param proof The leaf's Merkle proof against root.
    /// @param reason A reason code.
    function revokeDocument(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason) external {
        _setDocumentStatus(root, leaf, proof, STATE_REVOKED, reason);
    }

    /// @notice Suspend one document until it is unsuspended.
    /// @param root An anchored batch root.
    /// @param leaf The document's leaf.
    /// @param proof The leaf's Merkle proof against root.
    /// @param reason A reason code.
    function suspendDocument(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason) external {
        _setDocumentStatus(root, leaf, proof, STATE_SUSPENDED, reason);
    }

    /// @notice Lift one document's suspension (one set by a revoker or the admin only by a revoker or the admin).
    /// @param root An anchored batch root.
    /// @param leaf The document's leaf.
    /// @param proof The leaf's Merkle proof against root.
    function unsuspendDocument(bytes32 root, bytes32 leaf, bytes32[] calldata proof) external {
        _setDocumentStatus(root, leaf, proof, STATE_ACTIVE, 0);
    }

    // ------------------------------------------------------------------ views for verifiers

    /// @notice The anchor record of a batch (issuer is zero if the root was never anchored) and its status.
    /// @param root A batch root.
    function batch(bytes32 root) external view returns (Batch memory record, Status memory status) {
        return (_batches[root], _batchStatus[root]);
    }

    /// @notice Everything needed to decide a document's status in one call.
    /// @param root The batch root the proof leads to.
    /// @param leaf The document's leaf.
    /// @param proof The leaf's Merkle proof.
    /// @return included Whether the proof leads from leaf to root.
    /// @return record The batch's anchor record (issuer zero if not anchored).
    /// @return batchStatus The batch's status.
    /// @return documentStatus The document's own status.
    function documentStatus(bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool included, Batch memory record, Status memory batchStatus, Status memory documentStatus)
    {
        included = MerkleProof.verifyCalldata(proof, root, leaf);
        record = _batches[root];
        batchStatus = _batchStatus[root];
        documentStatus = _documentStatus[_documentKey(root, leaf)];
    }

    /// @notice An issuer's registry record and whether the key was authorised and trusted at a given block/time.
    /// @param issuer An address.
    /// @param blockNumber The block to judge (e.g. the block a batch was anchored in).
    /// @param timestamp That block's timestamp (compromise is declared as a point in time).
    /// @return record The registry record (authorisedFromBlock 0 = never registered).
    /// @return authorisedAtBlock Registered, authorised from or before blockNumber and not retired by then.
    /// @return trustedAtTime Not declared compromised at or before timestamp.
    function issuerAt(address issuer, uint256 blockNumber, uint256 timestamp)
        external
        view
        returns (Issuer memory record, bool authorisedAtBlock, bool trustedAtTime)
    {
        record = _issuers[issuer];
        // `<=` for retirement: nothing can be anchored after the retiring transaction, so an anchor in the same
        // block as the retirement came before it and was authorised.
        authorisedAtBlock = record.authorisedFromBlock != 0 && record.authorisedFromBlock <= blockNumber
            && (record.retiredAtBlock == 0 || blockNumber <= record.retiredAtBlock);
        trustedAtTime = record.compromisedFrom == 0 || timestamp < record.compromisedFrom;
    }

    /// @notice The signer of an EIP-712 Batch signature under this registry's domain (zero if malformed).
    /// @param root The batch root.
    /// @param documentCount The batch's document count.
    /// @param issuedAt The unix time the issuer signed.
    /// @param signature A 65-byte ECDSA signature.
    function recoverBatchSigner(bytes32 root, uint32 documentCount, uint64 issuedAt, bytes calldata signature)
        external
        view
        returns (address)
    {
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(BATCH_TYPEHASH, root, documentCount, issuedAt)));
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        return err == ECDSA.RecoverError.NoError ? signer : address(0);
    }

    /// @notice True for ISSUER_ROLE exactly while the key is registered, not retired and not compromised.
    function hasRole(bytes32 role, address account) public view override returns (bool) {
        if (role == ISSUER_ROLE) return _isActiveIssuer(_issuers[account]);
        return super.hasRole(role, account);
    }

    // ------------------------------------------------------------------ internals

    function _anchor(bytes32 root, uint256 documentCount) private {
        if (!_isActiveIssuer(_issuers[msg.sender])) revert IssuerNotAuthorised(msg.sender);
        if (root == bytes32(0)) revert ZeroRoot();
        if (documentCount == 0) revert EmptyBatch();
        if (documentCount > MAX_BATCH_SIZE) revert BatchTooLarge(documentCount);
        Batch storage record = _batches[root];
        if (record.issuer != address(0)) revert RootAlreadyAnchored(root);
        _batches[root] = Batch({
            issuer: msg.sender,
            documentCount: uint24(documentCount),
            blockNumber: SafeCast.toUint40(block.number),
            timestamp: SafeCast.toUint32(block.timestamp)
        });
        emit BatchAnchored(root, msg.sender, documentCount);
    }

    function _setDocumentStatus(bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 state, uint8 reason)
        private
    {
        bool authority = _statusAuthority(root);
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidMerkleProof();
        _setStatus(_documentStatus[_documentKey(root, leaf)], state, reason, authority);
        emit DocumentStatusChanged(root, leaf, state, reason, msg.sender);
    }

    function _setStatus(Status storage status, uint8 state, uint8 reason, bool authority) private {
        if (status.state == STATE_REVOKED) revert AlreadyRevoked();
        if (state == STATE_SUSPENDED && status.state == STATE_SUSPENDED) revert AlreadySuspended();
        if (state == STATE_ACTIVE) {
            if (status.state != STATE_SUSPENDED) revert NotSuspended();
            if (status.byAuthority && !authority) revert NotAllowedToChangeStatus(msg.sender);
        }
        status.state = state;
        status.reason = reason;
        status.since = SafeCast.toUint40(block.timestamp);
        status.blockNumber = SafeCast.toUint40(block.number);
        status.byAuthority = authority;
    }

    /// @dev Who may change a status: a revoker or the admin (returns true: an authority), or the batch's own
    ///      issuer unless its key is compromised (returns false). Anyone else is refused.
    function _statusAuthority(bytes32 root) private view returns (bool) {
        address issuer = _batches[root].issuer;
        if (issuer == address(0)) revert BatchNotAnchored(root);
        if (super.hasRole(REVOKER_ROLE, msg.sender) || super.hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) return true;
        if (issuer == msg.sender && _issuers[msg.sender].compromisedFrom == 0) return false;
        revert NotAllowedToChangeStatus(msg.sender);
    }

    function _registered(address issuer) private view returns (Issuer storage record) {
        record = _issuers[issuer];
        if (record.authorisedFromBlock == 0) revert UnknownIssuer(issuer);
    }

    function _isActiveIssuer(Issuer storage record) private view returns (bool) {
        return record.authorisedFromBlock != 0 && record.retiredAtBlock == 0 && record.compromisedFrom == 0;
    }

    function _checkName(string calldata name) private pure {
        if (bytes(name).length == 0 || bytes(name).length > 200) revert InvalidName();
    }

    function _documentKey(bytes32 root, bytes32 leaf) private pure returns (bytes32) {
        return keccak256(abi.encode(root, leaf));
    }

    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role == ISSUER_ROLE) revert UseIssuerRegistry();
        return super._grantRole(role, account);
    }

    function _revokeRole(bytes32 role, address account) internal override returns (bool) {
        if (role == ISSUER_ROLE) revert UseIssuerRegistry();
        return super._revokeRole(role, account);
    }
}
