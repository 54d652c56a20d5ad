// TossPayments-Test-Code: forces a catalogue error, as Toss's test environment does. It runs
// after authentication and before anything else, so nothing changes and nothing is recorded.
import type { FastifyRequest } from "fastify";
import { TEST_CODES, TossError } from "../domain/errors.js";

const KNOWN = new Set<string>(TEST_CODES);

export function checkTestCode(request: FastifyRequest): void {
  const raw = request.headers["tosspayments-test-code"];
  const code = Array.isArray(raw) ? raw[0] : raw;
  if (code === undefined || code === "") return;
  if (!KNOWN.has(code)) throw new TossError("INVALID_TEST_CODE");
  throw new TossError(code);
}
