// The ceiling: a bare node:http server that answers every request (after reading its body) with
// one fixed payment JSON, serialised once. No routing, no validation, no store.
import http from "node:http";
import { readFileSync } from "node:fs";

const body = Buffer.from(readFileSync(process.env.BENCH_BARE_BODY!, "utf8"));
const port = Number(process.env.PORT);

const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1");
