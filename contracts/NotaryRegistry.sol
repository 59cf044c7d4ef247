// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {AccessControl, IAccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title NotaryRegistry
/// @notice Anchors Merkle roots of batches of notarised documents and keeps their status (revoked, suspended).
///         A city office (admin) authorises issuers (schools, departments); each issuer key has a validity window
///         in blocks, so what it anchored while valid stays valid after it is retired. No personal data is stored:
///         only batch roots, counts, issuers and status. Roots live in one namespace per issuer, so no other
///         issuer can take a school's pending root; an issuer may anchor itself or sign for a relayer to submit.
///         A status set by an issuer key at or after the time it was declared compromised does not count.
/// @dev No upgrade proxy: a new version is deployed at a new address. Issuers are NOT managed through
///      grantRole/revokeRole (those revert for ISSUER_ROLE) but through addIssuer/retireIssuer/markCompromised,
///      so that the registry always knows *when* a key was valid. hasRole(ISSUER_ROLE, a) reflects the registry.
///      The admin is handed over in two steps with a delay (OpenZeppelin's AccessControlDefaultAdminRules), so a
///      typo or a stolen admin key cannot take the registry at once, and the last admin cannot renounce by accident.
contract NotaryRegistry is AccessControlDefaultAdminRules, EIP712 {
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

    /// @notice Largest reason code (0 unspecified, 1 superseded, 2 issued-in-error, 3 fraud, 4 withdrawn,
    ///         5 key-compromise); larger codes are refused so that every stored code has a meaning.
    uint8 public constant MAX_REASON = 5;

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
    ///      a status set by a revoker or the admin: the batch's issuer can neither lift nor escalate it.
    struct Status {
        uint8 state;
        uint8 reason;
        uint40 since;
        uint40 blockNumber;
        bool byAuthority;
    }

    /// @notice A status as the views report it: `state` and `reason` are the status that counts. A status set by
    ///         the issuer's key at or after its compromisedFrom does not count: then `ignored` is true, `state` is
    ///         ACTIVE, and `ignoredState`/`ignoredReason`/`since`/`blockNumber` show what that key did.
    struct StatusView {
        uint8 state;
        uint8 reason;
        uint40 since;
        uint40 blockNumber;
        bool byAuthority;
        bool ignored;
        uint8 ignoredState;
        uint8 ignoredReason;
    }

    /// @dev One namespace per issuer: another issuer anchoring the same root first changes nothing for this one.
    mapping(address issuer => mapping(bytes32 root => Batch)) private _batches;
    mapping(address issuer => mapping(bytes32 root => Status)) private _batchStatus;
    /// @dev Keyed by keccak256(abi.encode(issuer, root, leaf)): a leaf copied into another batch, or the same
    ///      root under another issuer, is a different document.
    mapping(bytes32 key => Status) private _documentStatus;
    mapping(address issuer => Issuer) private _issuers;

    event IssuerAdded(address indexed issuer, string name, uint256 authorisedFromBlock);
    event IssuerRenamed(address indexed issuer, string name);
    event IssuerRetired(address indexed issuer, uint256 retiredAtBlock);
    event IssuerCompromised(address indexed issuer, uint256 compromisedFrom);
    /// @notice An issuer's batch was anchored (count, block and time are in storage).
    /// @dev Anonymous and without topics: the only log of this contract without topics, so readers find it by
    ///      that (every other event has its signature as topic 0). Topics cost 375 gas each; this log keeps
    ///      anchoring below OpenAttestation's 47,858 gas while an issuer's anchors can still be listed.
    event BatchAnchored(address issuer, bytes32 root) anonymous;
    event BatchMetadata(address indexed issuer, bytes32 indexed root, bytes32 metadataHash, string metadataURI);
    event BatchStatusChanged(
        address indexed issuer, bytes32 indexed root, uint8 state, uint8 reason, address indexed by
    );
    event DocumentStatusChanged(
        bytes32 indexed root, bytes32 indexed leaf, address indexed issuer, uint8 state, uint8 reason, address by
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
    error InvalidReason(uint256 reason);
    error InvalidSignature();
    error IssuerAlreadyRegistered(address issuer);
    error UnknownIssuer(address issuer);
    error IssuerAlreadyRetired(address issuer);
    error IssuerAlreadyCompromised(address issuer);
    error CompromiseInFuture(uint256 compromisedFrom);
    error InvalidName();
    error ZeroAddress();
    error UseIssuerRegistry();

    /// @param admin The city office's admin key; it may add issuers and grant the revoker role.
    /// @param adminDelay Seconds between beginning and accepting an admin hand-over (and before a renounce).
    constructor(address admin, uint48 adminDelay)
        AccessControlDefaultAdminRules(adminDelay, admin)
        EIP712("NotaryRegistry", "1")
    {}

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
        _anchor(msg.sender, root, documentCount);
    }

    /// @notice Anchor a batch an issuer signed (EIP-712 `Batch` under this registry's domain, so it is good on this
    ///         chain and registry only); anyone may submit it and pay. The signer is recorded as the issuer, and the
    ///         root and count are the signed ones: a relayer can change neither. A second submission is refused
    ///         (RootAlreadyAnchored), so a signed batch anchors once.
    /// @param root The batch's Merkle root.
    /// @param documentCount How many documents the batch holds (as signed).
    /// @param issuedAt The unix time the issuer signed (as signed; not stored).
    /// @param signature The issuer's 65-byte signature (low s).
    /// @return issuer The recovered signer, recorded as the batch's issuer.
    function anchorSigned(bytes32 root, uint32 documentCount, uint64 issuedAt, bytes calldata signature)
        external
        returns (address issuer)
    {
        issuer = _batchSigner(root, documentCount, issuedAt, signature);
        if (issuer == address(0)) revert InvalidSignature();
        _anchor(issuer, root, documentCount);
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
        _anchor(msg.sender, root, documentCount);
        emit BatchMetadata(msg.sender, root, metadataHash, metadataURI);
    }

    // ------------------------------------------------------------------ status (issuer of the batch, revoker, admin)

    /// @notice Revoke a whole batch for good (see _setStatus for who may, and what "for good" means).
    /// @param issuer The batch's issuer (roots are per issuer).
    /// @param root An anchored batch root.
    /// @param reason A reason code, 0 .. MAX_REASON.
    function revokeBatch(address issuer, bytes32 root, uint8 reason) external {
        _setBatchStatus(issuer, root, STATE_REVOKED, reason);
    }

    /// @notice Suspend a whole batch until it is unsuspended.
    /// @param issuer The batch's issuer.
    /// @param root An anchored batch root.
    /// @param reason A reason code, 0 .. MAX_REASON.
    function suspendBatch(address issuer, bytes32 root, uint8 reason) external {
        _setBatchStatus(issuer, root, STATE_SUSPENDED, reason);
    }

    /// @notice Lift a batch's suspension (one set by a revoker or the admin only by a revoker or the admin), or,
    ///         for a revoker or the admin, clear a status that does not count (set by a compromised key).
    /// @param issuer The batch's issuer.
    /// @param root A suspended batch root.
    function unsuspendBatch(address issuer, bytes32 root) external {
        _setBatchStatus(issuer, root, STATE_ACTIVE, 0);
    }

    /// @notice Revoke one document for good; the leaf is proven to be in the batch.
    /// @param issuer The batch's issuer.
    /// @param root An anchored batch root.
    /// @param leaf The document's leaf.
    /// @param proof The leaf's Merkle proof against root.
    /// @param reason A reason code, 0 .. MAX_REASON.
    function revokeDocument(address issuer, bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason)
        external
    {
        _setDocumentStatus(issuer, root, leaf, proof, STATE_REVOKED, reason);
    }

    /// @notice Suspend one document until it is unsuspended.
    /// @param issuer The batch's issuer.
    /// @param root An anchored batch root.
    /// @param leaf The document's leaf.
    /// @param proof The leaf's Merkle proof against root.
    /// @param reason A reason code, 0 .. MAX_REASON.
    function suspendDocument(address issuer, bytes32 root, bytes32 leaf, bytes32[] calldata proof, uint8 reason)
        external
    {
        _setDocumentStatus(issuer, root, leaf, proof, STATE_SUSPENDED, reason);
    }

    /// @notice Lift one document's suspension (see unsuspendBatch).
    /// @param issuer The batch's issuer.
    /// @param root An anchored batch root.
    /// @param leaf The document's leaf.
    /// @param proof The leaf's Merkle proof against root.
    function unsuspendDocument(address issuer, bytes32 root, bytes32 leaf, bytes32[] calldata proof) external {
        _setDocumentStatus(issuer, root, leaf, proof, STATE_ACTIVE, 0);
    }

    // ------------------------------------------------------------------ views for verifiers

    /// @notice The anchor record of an issuer's batch (issuer is zero if that issuer never anchored the root) and
    ///         its status as it counts.
    /// @param issuer The issuer the proof names (its EIP-712 signer).
    /// @param root A batch root.
    function batch(address issuer, bytes32 root)
        external
        view
        returns (Batch memory record, StatusView memory status)
    {
        record = _batches[issuer][root];
        status = _view(_batchStatus[issuer][root], _issuers[issuer].compromisedFrom);
    }

    /// @notice Everything needed to decide a document's status in one call.
    /// @param issuer The issuer the proof names (its EIP-712 signer).
    /// @param root The batch root the proof leads to.
    /// @param leaf The document's leaf.
    /// @param proof The leaf's Merkle proof.
    /// @return included Whether the proof leads from leaf to root.
    /// @return record The batch's anchor record (issuer zero if not anchored by this issuer).
    /// @return batchStatus The batch's status as it counts.
    /// @return documentStatus The document's own status as it counts.
    function documentStatus(address issuer, bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool included, Batch memory record, StatusView memory batchStatus, StatusView memory documentStatus)
    {
        included = MerkleProof.verifyCalldata(proof, root, leaf);
        record = _batches[issuer][root];
        uint40 compromisedFrom = _issuers[issuer].compromisedFrom;
        batchStatus = _view(_batchStatus[issuer][root], compromisedFrom);
        documentStatus = _view(_documentStatus[_documentKey(issuer, root, leaf)], compromisedFrom);
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
        return _batchSigner(root, documentCount, issuedAt, signature);
    }

    /// @notice True for ISSUER_ROLE exactly while the key is registered, not retired and not compromised.
    function hasRole(bytes32 role, address account)
        public
        view
        override(AccessControl, IAccessControl)
        returns (bool)
    {
        if (role == ISSUER_ROLE) return _isActiveIssuer(account);
        return super.hasRole(role, account);
    }

    // ------------------------------------------------------------------ internals

    function _anchor(address issuer, bytes32 root, uint256 documentCount) private {
        if (!_isActiveIssuer(issuer)) revert IssuerNotAuthorised(issuer);
        if (root == bytes32(0)) revert ZeroRoot();
        if (documentCount == 0) revert EmptyBatch();
        if (documentCount > MAX_BATCH_SIZE) revert BatchTooLarge(documentCount);
        Batch storage record = _batches[issuer][root];
        if (record.issuer != address(0)) revert RootAlreadyAnchored(root);
        // The Batch struct's slot written as one word (issuer | count << 160 | block << 184 | time << 224): field
        // by field the compiler re-reads and re-writes the slot for each. Block numbers do not reach 2^40
        // (35,000 years of 1 s blocks); the uint32 time is checked (2106).
        uint256 word = uint256(uint160(issuer)) | (documentCount << 160) | (block.number << 184)
            | (uint256(SafeCast.toUint32(block.timestamp)) << 224);
        assembly ("memory-safe") {
            sstore(record.slot, word)
        }
        // emit BatchAnchored(issuer, root), from the scratch space: same log, no free-memory bookkeeping
        assembly ("memory-safe") {
            mstore(0x00, issuer)
            mstore(0x20, root)
            log0(0x00, 0x40)
        }
    }

    function _setBatchStatus(address issuer, bytes32 root, uint8 state, uint8 reason) private {
        (bool authority, uint40 compromisedFrom) = _statusAuthority(issuer, root);
        _setStatus(_batchStatus[issuer][root], state, reason, authority, compromisedFrom);
        emit BatchStatusChanged(issuer, root, state, reason, msg.sender);
    }

    function _setDocumentStatus(
        address issuer,
        bytes32 root,
        bytes32 leaf,
        bytes32[] calldata proof,
        uint8 state,
        uint8 reason
    ) private {
        (bool authority, uint40 compromisedFrom) = _statusAuthority(issuer, root);
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidMerkleProof();
        _setStatus(_documentStatus[_documentKey(issuer, root, leaf)], state, reason, authority, compromisedFrom);
        emit DocumentStatusChanged(root, leaf, issuer, state, reason, msg.sender);
    }

    /// @dev The rules of a status change (docs/contract.md, "Status"):
    ///      - a revocation that counts is final, for everyone (the authority included);
    ///      - a status that does not count (set by the issuer's key at or after its compromisedFrom) is treated as
    ///        ACTIVE: a revoker or the admin may restate the true status over it (suspend, revoke, or clear it);
    ///      - the issuer may not touch a suspension set by a revoker or the admin: neither lift nor revoke it;
    ///      - a revoker or the admin may suspend what the issuer suspended, taking the suspension over;
    ///      - reason codes above MAX_REASON are refused.
    function _setStatus(Status storage status, uint8 state, uint8 reason, bool authority, uint40 compromisedFrom)
        private
    {
        if (reason > MAX_REASON) revert InvalidReason(reason);
        Status memory old = status;
        bool counts = _counts(old, compromisedFrom);
        uint8 current = counts ? old.state : STATE_ACTIVE;
        if (current == STATE_REVOKED) revert AlreadyRevoked();
        if (!authority && old.byAuthority && old.state != STATE_ACTIVE) revert NotAllowedToChangeStatus(msg.sender);
        // an authority may take over the issuer's own suspension, so that the issuer (or a thief) cannot lift it
        if (state == STATE_SUSPENDED && current == STATE_SUSPENDED && (old.byAuthority || !authority)) {
            revert AlreadySuspended();
        }
        if (state == STATE_ACTIVE && current != STATE_SUSPENDED && (counts || old.state == STATE_ACTIVE)) {
            revert NotSuspended();
        }
        status.state = state;
        status.reason = reason;
        status.since = SafeCast.toUint40(block.timestamp);
        status.blockNumber = SafeCast.toUint40(block.number);
        status.byAuthority = authority;
    }

    /// @dev Whether a stored status counts: always if a revoker or the admin set it; if the issuer's key set it,
    ///      only before the key's compromisedFrom (a thief's acts do not count, however early they were noticed).
    function _counts(Status memory status, uint40 compromisedFrom) private pure returns (bool) {
        return status.byAuthority || compromisedFrom == 0 || status.since < compromisedFrom;
    }

    function _view(Status storage stored, uint40 compromisedFrom) private view returns (StatusView memory) {
        Status memory status = stored;
        if (status.blockNumber == 0 || _counts(status, compromisedFrom)) {
            return StatusView(status.state, status.reason, status.since, status.blockNumber, status.byAuthority,
                false, 0, 0);
        }
        return StatusView(STATE_ACTIVE, 0, status.since, status.blockNumber, false, true, status.state, status.reason);
    }

    /// @dev Who may change a status: a revoker or the admin (true: an authority), or the batch's own issuer unless
    ///      its key is compromised (false). Anyone else is refused. Also returns the issuer's compromisedFrom.
    function _statusAuthority(address issuer, bytes32 root) private view returns (bool, uint40) {
        if (_batches[issuer][root].issuer == address(0)) revert BatchNotAnchored(root);
        uint40 compromisedFrom = _issuers[issuer].compromisedFrom;
        if (super.hasRole(REVOKER_ROLE, msg.sender) || super.hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            return (true, compromisedFrom);
        }
        if (issuer == msg.sender && compromisedFrom == 0) return (false, 0);
        revert NotAllowedToChangeStatus(msg.sender);
    }

    function _batchSigner(bytes32 root, uint32 documentCount, uint64 issuedAt, bytes calldata signature)
        private
        view
        returns (address)
    {
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(BATCH_TYPEHASH, root, documentCount, issuedAt)));
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        return err == ECDSA.RecoverError.NoError ? signer : address(0);
    }

    function _registered(address issuer) private view returns (Issuer storage record) {
        record = _issuers[issuer];
        if (record.authorisedFromBlock == 0) revert UnknownIssuer(issuer);
    }

    /// @dev Registered and not retired (a compromised key is always retired too). The four block/time fields
    ///      share the record's first slot: read it once, as one word, on the anchoring path.
    function _isActiveIssuer(address issuer) private view returns (bool) {
        Issuer storage record = _issuers[issuer];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(record.slot)
        }
        return uint40(word) != 0 && uint40(word >> 40) == 0;
    }

    function _checkName(string calldata name) private pure {
        if (bytes(name).length == 0 || bytes(name).length > 200) revert InvalidName();
    }

    function _documentKey(address issuer, bytes32 root, bytes32 leaf) private pure returns (bytes32) {
        return keccak256(abi.encode(issuer, root, leaf));
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
