/**
 * Every relative link in the repository's Markdown resolves: `[text](path)`,
 * `[text](path#heading)`, `[text](#heading)`, images and reference definitions
 * (`[name]: path`), in every Markdown file git tracks or would track (untracked files
 * that are not ignored count too). A path is relative to the file it is in (or, with a
 * leading `/`, to the repository's root, as GitHub reads it) and must stay inside the
 * repository. A fragment must name a heading of the target Markdown file by GitHub's
 * slug rules, or an HTML `id`/`name` in it. Links with a scheme (https:, mailto:, …)
 * and anything inside code spans and fenced code blocks are not checked.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { REPO } from "../helpers/repo.js";

interface Link {
  /** 1-based line of the link in its file. */
  line: number;
  target: string;
}

/** The repository's Markdown files: tracked, plus untracked ones git does not ignore. */
function markdownFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "*.md"], {
    cwd: REPO,
    encoding: "utf8",
  });
  // A tracked file deleted in the working tree is still listed by --cached.
  return [...new Set(listed.split("\0").filter(Boolean))].filter((file) => existsSync(join(REPO, file))).sort();
}

/**
 * The text with fenced code blocks and code spans blanked out (same length, same line
 * breaks), so that offsets still give line numbers and nothing in code looks like a link.
 */
function withoutCode(text: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  const lines = text.split("\n");
  let fence: string | undefined;
  const prose = lines.map((line) => {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === undefined) {
      if (!opening) return line;
      fence = opening[1];
      return blank(line);
    }
    if (opening && opening[1][0] === fence[0] && opening[1].length >= fence.length && line.trim() === opening[1]) fence = undefined;
    return blank(line);
  });
  // A code span: a run of backticks up to the next run of the same length, within one paragraph.
  const codeSpan = /(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g;
  return prose.join("\n").replace(/[^\n]+(?:\n[^\n]+)*/g, (paragraph) => paragraph.replace(codeSpan, blank));
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

/** Every link destination in a Markdown text, with its line. */
function linksIn(markdown: string): Link[] {
  const text = withoutCode(markdown);
  const links: Link[] = [];
  // Inline links and images: `](destination)` or `](destination "title")`, destination maybe in <>.
  const inline = /\]\(\s*(<[^>\n]*>|[^\s)]*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
  for (const match of text.matchAll(inline)) links.push({ line: lineAt(text, match.index), target: match[1].replace(/^<|>$/g, "") });
  // Reference definitions: `[name]: destination`.
  const definition = /^ {0,3}\[[^\]\n]+\]:\s*(<[^>\n]*>|\S+)/gm;
  for (const match of text.matchAll(definition)) links.push({ line: lineAt(text, match.index), target: match[1].replace(/^<|>$/g, "") });
  return links.sort((a, b) => a.line - b.line);
}

/** GitHub's anchor for a heading: its text as rendered, lower-cased, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/<[^>]+>/g, "") // HTML tags
    .replace(/`+/g, "") // code spans: their contents
    .replace(/(\*\*|__|\*|_|~~)(?=\S)([\s\S]*?\S)\1/g, "$2"); // emphasis: its contents
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors a Markdown file defines: heading slugs (repeats numbered -1, -2, … as GitHub does) and HTML ids. */
function anchorsOf(markdown: string): Set<string> {
  const lines = markdown.split("\n");
  const prose = withoutCode(markdown).split("\n");
  const headings: string[] = [];
  prose.forEach((line, i) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) return void headings.push(lines[i].replace(/^ {0,3}#{1,6}/, "").replace(/[ \t]+#+[ \t]*$/, ""));
    // A setext heading: a paragraph line underlined with === or --- (a table row or list item is not one).
    const previous = prose[i - 1];
    if (i > 0 && /^ {0,3}(=+|-+)[ \t]*$/.test(line) && previous.trim() !== "" && !/^\s*([|>]|[-*+] |\d+[.)] |#)/.test(previous)) {
      headings.push(lines[i - 1]);
    }
  });
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const heading of headings) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const match of markdown.matchAll(/<[a-z][^>]*\s(?:id|name)=["']([^"']+)["']/gi)) anchors.add(match[1]);
  return anchors;
}

/** Why `target`, linked from `file`, does not resolve; undefined when it does. */
function problemWith(file: string, target: string, anchorsByFile: Map<string, Set<string>>): string | undefined {
  const hash = target.indexOf("#");
  const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const fragment = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const resolved =
    pathPart === "" ? join(REPO, file) : pathPart.startsWith("/") ? join(REPO, pathPart) : resolve(REPO, dirname(file), pathPart);
  const inRepo = relative(REPO, resolved);
  if (inRepo.startsWith(`..${sep}`) || inRepo === "..") return "points outside the repository";
  if (!existsSync(resolved)) return "no such file or folder";
  if (fragment === undefined || fragment === "") return undefined;
  if (!statSync(resolved).isFile() || !resolved.endsWith(".md")) return undefined; // GitHub's line anchors etc.: not checked
  let anchors = anchorsByFile.get(resolved);
  if (!anchors) anchorsByFile.set(resolved, (anchors = anchorsOf(readFileSync(resolved, "utf8"))));
  return anchors.has(fragment) ? undefined : `no heading with the anchor #${fragment} in ${relative(REPO, resolved)}`;
}

const isRelative = (target: string) => target !== "" && !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("//");

const FILES = markdownFiles();
const LINKS = new Map(
  FILES.map((file) => [file, linksIn(readFileSync(join(REPO, file), "utf8")).filter((link) => isRelative(link.target))]),
);
const TOTAL = [...LINKS.values()].reduce((sum, links) => sum + links.length, 0);

describe(`relative links in Markdown (${TOTAL} links in ${FILES.length} files)`, function () {
  const anchorsByFile = new Map<string, Set<string>>();

  it("finds the repository's Markdown files", () => {
    expect(FILES).to.include.members(["README.md", "docs/DESIGN.md", "contracts/README.md"]);
  });

  for (const [file, links] of LINKS) {
    it(`${file}: every relative link resolves (${links.length})`, () => {
      const broken = links.flatMap(({ line, target }) => {
        const problem = problemWith(file, target, anchorsByFile);
        return problem ? [`${file}:${line}: ${target}: ${problem}`] : [];
      });
      expect(broken, broken.join("\n")).to.deep.equal([]);
    });
  }

  describe("the checker itself", () => {
    it("finds links outside code, across lines, with titles and anchors, and definitions", () => {
      const markdown = [
        'See [a](a.md), ![b](img/b.png "title") and [c,',
        "over two lines](c.md#some-heading).",
        "`[not](code.md)` and ``[nor](this.md)``",
        "```",
        "[nor](fenced.md)",
        "```",
        "[ref]: <d.md#x>",
      ].join("\n");
      expect(linksIn(markdown)).to.deep.equal([
        { line: 1, target: "a.md" },
        { line: 1, target: "img/b.png" },
        { line: 2, target: "c.md#some-heading" },
        { line: 7, target: "d.md#x" },
      ]);
    });

    it("makes anchors by GitHub's slug rules", () => {
      const anchors = anchorsOf(
        [
          "# Highway — design of the protocol",
          "## Where this differs from `DESIGN.md`",
          "## Settlement of one answered request",
          "## Later steps (not in the first release, but do not design them out)",
          "## Tests",
          "## Tests",
          "Setext heading",
          "--------------",
          "```",
          "# not a heading",
          "```",
          '<a id="custom"></a>',
        ].join("\n"),
      );
      expect([...anchors]).to.have.members([
        "highway--design-of-the-protocol",
        "where-this-differs-from-designmd",
        "settlement-of-one-answered-request",
        "later-steps-not-in-the-first-release-but-do-not-design-them-out",
        "tests",
        "tests-1",
        "setext-heading",
        "custom",
      ]);
    });

    it("reports a missing file, a missing anchor and a path outside the repository", () => {
      const anchors = new Map<string, Set<string>>();
      expect(problemWith("README.md", "docs/DESIGN.md", anchors)).to.equal(undefined);
      expect(problemWith("docs/DESIGN.md", "../contracts/README.md#how-a-request-is-stored", anchors)).to.equal(undefined);
      expect(problemWith("README.md", "docs/NOPE.md", anchors)).to.equal("no such file or folder");
      expect(problemWith("README.md", "docs/DESIGN.md#nope", anchors)).to.equal("no heading with the anchor #nope in docs/DESIGN.md");
      expect(problemWith("README.md", "../outside/DESIGN.md", anchors)).to.equal("points outside the repository");
      expect(isRelative("https://example.com")).to.equal(false);
      expect(isRelative("mailto:someone@example.com")).to.equal(false);
    });
  });
});
