// Independent reference for Claims.canonical_bytes(): @metamask/abi-utils' abi.encode of the claims tuple.
// stdin:  {"items": [["notary.claims.v1", docType, title, holder, issuedOn, validUntil, issuerRef], ...]}
// stdout: {"encodings": ["0x..", ...]}
import { encode } from "@metamask/abi-utils";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { items } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const types = ["string", "string", "string", "string", "uint32", "uint32", "string"];
const encodings = items.map((item) => "0x" + Buffer.from(encode(types, item)).toString("hex"));
process.stdout.write(JSON.stringify({ encodings }));
