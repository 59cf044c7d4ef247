// Independent QR decoder for tests/unit/test_qr_budget.py: jsQR 1.4, the library the web page's camera scan
// uses, so a symbol this decodes is one a phone browser can read.
// argv: <rgba file> <width> <height>  (raw 8-bit RGBA pixels, row by row)
// stdout: {"data": "<decoded text>"} or {"data": null} when jsQR finds no symbol
import { readFileSync } from "node:fs";
import jsQRModule from "jsqr";

const jsQR = typeof jsQRModule === "function" ? jsQRModule : jsQRModule.default;
const [file, width, height] = process.argv.slice(2);
const pixels = new Uint8ClampedArray(readFileSync(file));
const code = jsQR(pixels, Number(width), Number(height), { inversionAttempts: "dontInvert" });
process.stdout.write(JSON.stringify({ data: code ? code.data : null }));
