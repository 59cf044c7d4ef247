"""The pure, FORMAT-CRITICAL core: hashes, Merkle batches, the proof format, EIP-712 batch signatures and
the QR payload codec.

Bytes in, values out: no file or network I/O, no web3 provider, no web framework, no global state. Every
change here must keep proofs issued by earlier versions verifying; the test vectors under tests/vectors/
pin the formats byte for byte.
"""
