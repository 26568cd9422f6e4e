/** Small pieces every page uses: links, addresses, amounts, times, tables, the pager. */
import type { ComponentChildren } from "preact";
import { formatTokens } from "../../../sdk/index.js";
import { hexId } from "../chain/chain-index.js";
import type { ChainIndex } from "../chain/chain-index.js";

export function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;
}

export function RequestLink({ id }: { id: bigint }) {
  const hex = hexId(id);
  return (
    <a href={`#/request/${hex}`} class="mono" title={hex}>
      {short(hex)}
    </a>
  );
}

export function ModelLink({ index, modelId }: { index: ChainIndex; modelId: string }) {
  const name = index.models.get(modelId)?.name ?? modelName(index, modelId);
  return (
    <a href={`#/model/${modelId}`} title={modelId}>
      {name ?? <span class="mono">{short(modelId)}</span>}
    </a>
  );
}

/** A model's name in the deployment file, when it has one. */
export function modelName(index: ChainIndex, modelId: string): string | undefined {
  return Object.entries(index.client.deployment.models).find(([, model]) => model.modelId.toLowerCase() === modelId)?.[0];
}

export function Address({ address, relayer }: { address?: string; relayer?: boolean }) {
  if (!address || /^0x0+$/.test(address)) return <span class="muted">—</span>;
  return relayer ? (
    <a href={`#/relayer/${address}`} class="mono" title={address}>
      {short(address)}
    </a>
  ) : (
    <span class="mono" title={address}>
      {short(address)}
    </span>
  );
}

export function Tokens({ amount }: { amount?: bigint }) {
  return amount === undefined ? <span class="muted">—</span> : <span class="num">{formatTokens(amount)}</span>;
}

export function formatTime(unixSeconds: number | undefined): string {
  return unixSeconds === undefined ? "…" : new Date(unixSeconds * 1000).toISOString().replace(".000Z", "Z").replace("T", " ");
}

export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined) return "—";
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3_600).toFixed(1)} h`;
}

export function Status({ status }: { status: string }) {
  return (
    <span class={`status status-${status}`} data-status={status}>
      {status}
    </span>
  );
}

export function Card({ title, children, testid }: { title: string; children: ComponentChildren; testid?: string }) {
  return (
    <section class="card" data-testid={testid}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Figure({ label, value, testid }: { label: string; value: ComponentChildren; testid?: string }) {
  return (
    <div class="figure">
      <div class="figure-value" data-testid={testid}>
        {value}
      </div>
      <div class="figure-label">{label}</div>
    </div>
  );
}

/** A table of key/value rows. */
export function Facts({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <table class="facts">
      <tbody>
        {rows.map(([key, value]) => (
          <tr key={key}>
            <th>{key}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Page `page` (from 0) of `count` items, `size` per page. */
export function Pager({ page, count, size, onPage }: { page: number; count: number; size: number; onPage: (page: number) => void }) {
  const pages = Math.max(1, Math.ceil(count / size));
  return (
    <div class="pager">
      <button disabled={page === 0} onClick={() => onPage(page - 1)} data-testid="previous-page">
        ‹ newer
      </button>
      <span data-testid="page">
        page {page + 1} of {pages}
      </span>
      <button disabled={page >= pages - 1} onClick={() => onPage(page + 1)} data-testid="next-page">
        older ›
      </button>
    </div>
  );
}
