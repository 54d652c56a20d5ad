// Child process for the cross-process cancel test: opens the same sqlite file and fires
// `count` partial cancels of `amount`, printing one outcome code per line.
import { systemClock } from "../../src/domain/clock.js";
import { TossError } from "../../src/domain/errors.js";
import { PaymentService } from "../../src/domain/payments.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import { makeTenant } from "./setup.js";

const [path, paymentKey, count, amount] = process.argv.slice(2) as [string, string, string, string];
const store = openSqliteStore(path);
const service = new PaymentService(store, systemClock);
const tenant = makeTenant();
const outcomes = await Promise.allSettled(
  Array.from({ length: Number(count) }, () => service.cancel(tenant, paymentKey, { cancelReason: "w", cancelAmount: Number(amount) })),
);
for (const o of outcomes) {
  console.log(o.status === "fulfilled" ? "OK" : o.reason instanceof TossError ? o.reason.code : `ERR ${String(o.reason)}`);
}
await store.close();
