/**
 * The operator's monitoring (relayer/monitoring/): every query of the Grafana dashboard and
 * of the Prometheus alert rules names only series the relayer exports (relayer/src/metrics.ts),
 * with the labels those series carry, so a renamed metric cannot leave a panel empty or an
 * alert silent.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { RelayerMetrics } from "../../relayer/src/metrics.js";
import { REPO } from "../helpers/repo.js";

const MONITORING = join(REPO, "relayer", "monitoring");
/** Series and labels Prometheus adds itself: the scrape's `up`, the target's `instance` and `job`, a histogram's `le`. */
const PROMETHEUS_SERIES = new Set(["up"]);
const TARGET_LABELS = ["instance", "job"];
const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"]);

/** Every series the relayer's /metrics can hold, with its label names. */
function exportedSeries(): Map<string, string[]> {
  const metrics = new RelayerMetrics();
  const series = new Map<string, string[]>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, labelNames = [], type } = metric as unknown as { name: string; labelNames?: string[]; type: string };
    if (type === "histogram") {
      series.set(`${name}_bucket`, [...labelNames, "le"]);
      series.set(`${name}_sum`, labelNames);
      series.set(`${name}_count`, labelNames);
    } else series.set(name, labelNames);
  }
  return series;
}

/** The series an expression selects, with the labels its matchers name; and the labels its `by`/`on` clauses group by. */
function parseQuery(expr: string): { selectors: { name: string; labels: string[] }[]; groupings: string[] } {
  const selectors: { name: string; labels: string[] }[] = [];
  for (const match of expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{([^}]*)\})?(?!\s*\()/g)) {
    const [, name, , matchers] = match;
    if (PROMQL_WORDS.has(name) || /^\d/.test(name)) continue;
    // A bare word is a series only if it is a metric-like name (functions are followed by "(" and skipped above).
    if (matchers === undefined && !name.startsWith("highway_") && !PROMETHEUS_SERIES.has(name)) continue;
    const labels = [...(matchers ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)].map((m) => m[1]);
    selectors.push({ name, labels });
  }
  const groupings = [...expr.matchAll(/\b(?:by|on|without|ignoring)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]
      .split(",")
      .map((label) => label.trim())
      .filter(Boolean),
  );
  // Label names inside a grouping clause are not series.
  const grouped = new Set(groupings);
  return { selectors: selectors.filter((selector) => !(grouped.has(selector.name) && selector.labels.length === 0)), groupings };
}

/** The problems of one query: series the relayer does not export, labels they do not carry. */
function problems(where: string, expr: string, series: Map<string, string[]>): string[] {
  const found: string[] = [];
  const { selectors, groupings } = parseQuery(expr);
  if (selectors.length === 0) found.push(`${where}: names no series: ${expr}`);
  const available = new Set(TARGET_LABELS);
  for (const { name, labels } of selectors) {
    if (PROMETHEUS_SERIES.has(name)) continue;
    const labelNames = series.get(name);
    if (!labelNames) {
      found.push(`${where}: ${name} is not a series the relayer exports`);
      continue;
    }
    labelNames.forEach((label) => available.add(label));
    for (const label of labels)
      if (!labelNames.includes(label) && !TARGET_LABELS.includes(label)) found.push(`${where}: ${name} has no label ${label}`);
  }
  for (const label of groupings) if (!available.has(label)) found.push(`${where}: groups by ${label}, which none of its series carries`);
  return found;
}

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { name: string; query: { query: string } }[] };
}

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }[] }[];
}

describe("the relayer's Grafana dashboard and Prometheus alert rules (relayer/monitoring/)", () => {
  const series = exportedSeries();

  it("query only series the relayer exports, by labels those series carry", () => {
    const dashboard = JSON.parse(readFileSync(join(MONITORING, "grafana-dashboard.json"), "utf8")) as Dashboard;
    const rules = parse(readFileSync(join(MONITORING, "alerts.yml"), "utf8")) as RuleFile;
    const queries = [
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr }))),
      ...dashboard.templating.list.map((variable) => ({ where: `variable $${variable.name}`, expr: variable.query.query })),
      ...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
    ];
    expect(queries.length).to.be.greaterThan(20);
    expect(queries.flatMap(({ where, expr }) => problems(where, expr, series))).to.deep.equal([]);
  });

  it("alert on what an operator must act on, each with a severity and a summary", () => {
    const rules = (parse(readFileSync(join(MONITORING, "alerts.yml"), "utf8")) as RuleFile).groups.flatMap((group) => group.rules);
    const names = rules.map((rule) => rule.alert);
    expect(names).to.include.members([
      "HighwayRelayerStakeTooLowForBond",
      "HighwayRelayerProvingFailures",
      "HighwayRelayerSubmitterStuck",
      "HighwayRelayerRpcErrors",
      "HighwayRelayerWatcherLagging",
      "HighwayRelayerChallenged",
      "HighwayRelayerDisputeLost",
    ]);
    for (const rule of rules) {
      expect(["warning", "critical"], rule.alert).to.include(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).to.be.a("string").and.not.equal("");
    }
  });

  it("catches a query of a series the relayer does not export, and a label it does not carry", () => {
    expect(problems("q", "rate(highway_relayer_prove_seconds_total[5m])", series)).to.deep.equal([
      "q: highway_relayer_prove_seconds_total is not a series the relayer exports",
    ]);
    expect(problems("q", 'highway_relayer_jobs{status="ready"}', series)).to.deep.equal(["q: highway_relayer_jobs has no label status"]);
    expect(problems("q", "sum by (model) (highway_relayer_jobs)", series)).to.deep.equal([
      "q: groups by model, which none of its series carries",
    ]);
  });
});
