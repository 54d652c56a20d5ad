// Shortcuts for the sandbox-lifecycle flows. Everything here goes over documented HTTP calls:
// fresh tenants from createKeyPair, payments from createPayment, and the browser pages fetched
// and posted as a browser would (no Authorization, urlencoded forms, redirects not followed).
import { expect } from "vitest";
import type { FakeTossClient, Payment } from "../../generated/client.js";
import { newOrderId } from "./payments.js";
import { expectMatchesSpec } from "./spec.js";
import type { TestServer } from "./server.js";

export const DEFAULT_CLIENT_KEY = "test_ck_yjroot_faketoss_default";
export const SHOP = { successUrl: "https://shop.example/success", failUrl: "https://shop.example/fail" };

export interface FreshTenant {
  secretKey: string;
  clientKey: string;
  client: FakeTossClient;
}

/** A new, empty, isolated tenant (createKeyPair called with the default key). */
export async function newTenant(server: TestServer): Promise<FreshTenant> {
  const { data, error, response } = await server.client().POST("/sandbox/keys", {});
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("createKeyPair", 200, data);
  return { secretKey: data!.secretKey, clientKey: data!.clientKey, client: server.client({ secretKey: data!.secretKey }) };
}

export type CreatePaymentBody = {
  method: "CARD" | "VIRTUAL_ACCOUNT" | "TRANSFER" | "MOBILE_PHONE" | "FOREIGN_EASY_PAY" | "카드" | "가상계좌" | "계좌이체" | "휴대폰" | "해외간편결제";
  amount: number;
  orderId: string;
  orderName: string;
  successUrl: string;
  failUrl: string;
  customerName?: string;
  validHours?: number;
  taxFreeAmount?: number;
};

/** createPayment → a READY payment (asserted, spec-checked). */
export async function createReady(client: FakeTossClient, overrides: Partial<CreatePaymentBody> = {}): Promise<Payment> {
  const body: CreatePaymentBody = {
    method: "CARD",
    amount: 15000,
    orderId: newOrderId("win"),
    orderName: "샌드박스 주문",
    ...SHOP,
    ...overrides,
  };
  const { data, error, response } = await client.POST("/v1/payments", { body });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("createPayment", 200, data);
  expect(data!.status).toBe("READY");
  return data!;
}

/** authenticatePayment → the IN_PROGRESS payment and the success redirect. */
export async function authenticate(client: FakeTossClient, paymentKey: string): Promise<{ payment: Payment; redirectUrl: string | null }> {
  const { data, error, response } = await client.POST("/sandbox/payments/{paymentKey}/authenticate", { params: { path: { paymentKey } } });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(200);
  expectMatchesSpec("authenticatePayment", 200, data);
  return data!;
}

/** GET a payment and check it against the spec. */
export async function getPayment(client: FakeTossClient, paymentKey: string): Promise<Payment> {
  const { data, error } = await client.GET("/v1/payments/{paymentKey}", { params: { path: { paymentKey } } });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expectMatchesSpec("getPayment", 200, data);
  return data!;
}

export interface PageAnswer {
  status: number;
  text: string;
  contentType: string | null;
  location: string | null;
}

/** A browser-like GET of a page (no Authorization). */
export async function getPage(url: string): Promise<PageAnswer> {
  const res = await fetch(url, { redirect: "manual", headers: { accept: "text/html" } });
  return { status: res.status, text: await res.text(), contentType: res.headers.get("content-type"), location: res.headers.get("location") };
}

/** A browser-like form POST (application/x-www-form-urlencoded), redirects not followed. */
export async function postForm(url: string, fields: Record<string, string>): Promise<PageAnswer> {
  const res = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, text: await res.text(), contentType: res.headers.get("content-type"), location: res.headers.get("location") };
}

/** Splits a redirect target into its base (origin + path) and its query. */
export function splitUrl(url: string): { base: string; query: Record<string, string> } {
  const u = new URL(url);
  return { base: `${u.origin}${u.pathname}`, query: Object.fromEntries(u.searchParams) };
}

/** The URL of the billing-auth window for a client key. */
export function billingAuthUrl(server: TestServer, q: { clientKey: string; customerKey: string; successUrl: string; failUrl: string }): string {
  return `${server.url}/sandbox/billing-auth?${new URLSearchParams(q).toString()}`;
}
