// Drives the dashboard tab in headless Chromium (Debian's /usr/bin/chromium through playwright-core) and checks it
// with axe-core. internal/app/tab_browser_test.go starts the real service with a fake identity provider, mints the
// tokens and runs: node tools/tabcheck/check.mjs <input.json>. The input names the service's URL, the tokens (a main
// user, a supervisor, a person with no role, and bad ones) and what each should see. The Teams client is stood in
// for by a stand-in of the Teams JS SDK served in place of the vendored one (routed by Playwright): app.initialize,
// app.getContext (the locale) and authentication.getAuthToken (the token of the person being played); everything
// else is the real page against the real service. Prints one line per check and exits 1 if any failed; writes the
// axe results to the file named by input.axeReport.
import fs from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const axePath = require.resolve("axe-core/axe.min.js");
const failures = [];
const axeResults = [];

function check(name, ok, detail) {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok || !detail ? "" : ": " + detail}`);
  if (!ok) failures.push(name);
}

const teamsStandIn = (token, locale) => `
window.microsoftTeams = {
  app: {
    initialize: () => Promise.resolve(),
    getContext: () => Promise.resolve({ app: { locale: ${JSON.stringify(locale)}, theme: "default" } }),
  },
  authentication: { getAuthToken: () => Promise.resolve(${JSON.stringify(token)}) },
};`;

const browser = await chromium.launch({
  executablePath: input.chromium || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});

// open loads the tab as the person whose token is given, in the Teams locale, and waits until the page has
// drawn (or refused).
async function open(token, locale) {
  // bypassCSP lets axe-core be injected into the page; the page itself runs under its own policy otherwise.
  const context = await browser.newContext({ locale, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.route("**/tab/static/vendor/MicrosoftTeams.min.js", (route) =>
    route.fulfill({ contentType: "text/javascript", body: teamsStandIn(token, locale) }));
  await page.goto(input.base + "/tab/");
  await page.waitForSelector("body[data-ready]", { timeout: 15000 });
  return { page, context, errors };
}

async function axe(page, what) {
  await page.addScriptTag({ path: axePath });
  const res = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } }));
  axeResults.push({ page: what, url: page.url(), violations: res.violations.map((v) => ({ id: v.id, impact: v.impact,
    help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")) })), passes: res.passes.length,
    incomplete: res.incomplete.map((v) => v.id) });
  check(`axe: ${what} has no violations`, res.violations.length === 0,
    res.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help}`).join("; "));
}

const rowsOf = (page) => page.$$eval("#register tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));

try {
  // The main user: the whole register.
  {
    const { page, context, errors } = await open(input.tokens.main, "fi-FI");
    check("main user: the page draws", await page.getAttribute("body", "data-ready") === "true",
      await page.textContent("#status"));
    check("main user: Finnish", (await page.textContent("h1")).includes("valtuusluettelo"));
    const bars = await page.$$eval("#chart svg rect.bar", (r) => r.length);
    check("chart: 12 monthly bars drawn as SVG", bars === 12, `${bars} bars`);
    const heights = await page.$$eval("#chart svg rect.bar", (r) => r.map((x) => Number(x.getAttribute("height"))));
    check("chart: some month has mandates ending", heights.some((h) => h > 0), JSON.stringify(heights));
    const active = await page.textContent("#counts li:first-child .n");
    check("counts by state: mandates in force", Number(active) === input.expect.active, `${active}`);
    check("departments and agencies listed", (await page.$$("#departments tbody tr")).length > 0 &&
      (await page.$$("#agencies tbody tr")).length > 0);
    const tasks = await page.$$eval("#tasks tbody tr", (trs) => trs.map((tr) => tr.textContent));
    check("open tasks with their age", tasks.length >= 1 && tasks.some((t) => / pv/.test(t)), JSON.stringify(tasks));
    let rows = await rowsOf(page);
    check("register: first page of 50", rows.length === 50, `${rows.length} rows`);
    check("register: more pages", !(await page.isHidden("#more")));
    await page.click("#more");
    await page.waitForFunction((n) => document.querySelectorAll("#register tbody tr").length > n, 50);
    rows = await rowsOf(page);
    check("register: the next page follows (keyset)", rows.length === input.expect.total, `${rows.length} rows`);
    await axe(page, "dashboard (main user)");
    if (input.screenshots) await page.screenshot({ path: input.screenshots + "/tab-dashboard.png", fullPage: true });

    await page.selectOption("#f-department", input.expect.department);
    await page.click("#apply");
    await page.waitForFunction((d) => [...document.querySelectorAll("#register tbody tr")].every((tr) => tr.cells[1] && tr.cells[1].textContent === d), input.expect.department);
    rows = await rowsOf(page);
    check("filter: department", rows.length === input.expect.inDepartment && rows.every((r) => r[1] === input.expect.department),
      `${rows.length} rows`);
    await page.click("#clear");
    await page.fill("#f-q", input.expect.search);
    await page.click("#apply");
    await page.waitForFunction((n) => [...document.querySelectorAll("#register tbody tr")].every((tr) => tr.cells[0].textContent.includes(n)), input.expect.searchName);
    rows = await rowsOf(page);
    check("search: by name", rows.length > 0 && rows.every((r) => r[0].includes(input.expect.searchName)), `${rows.length} rows`);
    await page.fill("#f-q", "");
    await page.selectOption("#f-state", "revoked");
    await page.click("#apply");
    // Wait for the new page itself (the one before had as many rows): every row invalidated.
    await page.waitForFunction(() => [...document.querySelectorAll("#register tbody tr")].every((tr) => tr.cells[6] && tr.cells[6].textContent === "Mitätöity"));
    rows = await rowsOf(page);
    check("filter: state invalidated", rows.length === input.expect.revoked && rows.every((r) => r[6] === "Mitätöity"), JSON.stringify(rows));

    // A person's page (from their open task): mandates, requests and history.
    await page.click(`#tasks a[href="#person/${input.expect.person}"]`);
    await page.waitForSelector("#person:not([hidden]) #p-history tbody tr");
    check("person page: name", (await page.textContent("#person-name")) === input.expect.personName);
    const pm = await page.$$eval("#p-mandates tbody tr", (t) => t.length);
    const pr = await page.$$eval("#p-requests tbody tr", (t) => t.map((r) => r.textContent));
    const ph = await page.$$eval("#p-history tbody tr", (t) => t.map((r) => r.textContent));
    check("person page: mandates", pm === input.expect.personMandates, `${pm}`);
    check("person page: requests", pr.length === 1 && pr[0].includes("VB-"), JSON.stringify(pr));
    check("person page: history from the audit trail, in words", ph.some((h) => h.includes("Pyyntö jätetty")), JSON.stringify(ph));
    await axe(page, "person page (main user)");
    if (input.screenshots) await page.screenshot({ path: input.screenshots + "/tab-person.png", fullPage: true });
    await page.click("#back");
    await page.waitForSelector("#dashboard:not([hidden])");
    check("main user: no script errors", errors.length === 0, errors.join("; "));
    await context.close();
  }

  // The supervisor: only their own people, in Swedish from the Teams locale.
  {
    const { page, context } = await open(input.tokens.supervisor, "sv-SE");
    const rows = await rowsOf(page);
    const holders = [...new Set(rows.map((r) => r[0]))].sort();
    check("supervisor: only their own people", JSON.stringify(holders) === JSON.stringify(input.expect.supervisorSees),
      JSON.stringify(holders));
    check("supervisor: Swedish from the Teams locale", (await page.textContent("h1")).includes("fullmaktsförteckning"));
    const status = (id) => page.evaluate(async ([tok, id]) =>
      (await fetch("/tab/api/person/" + id, { headers: { Authorization: "Bearer " + tok } })).status,
    [input.tokens.supervisor, id]);
    const own = await status(input.expect.person), other = await status(input.expect.outsider);
    check("supervisor: their own person's page opens, anyone else's is refused (403)", own === 200 && other === 403,
      `${own}, ${other}`);
    await axe(page, "dashboard (supervisor, Swedish)");
    await context.close();
  }

  // A person with no role: a clear refusal on the page.
  {
    const { page, context } = await open(input.tokens.norole, "en-GB");
    const code = await page.getAttribute("#status", "data-code");
    const text = await page.textContent("#status");
    check("no role: refused with a clear page", code === "no_role" && text.includes("main users and supervisors"), `${code}: ${text}`);
    check("no role: nothing of the register shown", await page.isHidden("#dashboard"));
    await axe(page, "refusal (no role)");
    await context.close();
  }

  // The API refuses tokens that are missing, expired, for another audience or from another tenant.
  {
    const { page, context } = await open(input.tokens.main, "fi-FI");
    for (const [name, tok, want] of [["missing", "", 401], ["expired", input.tokens.expired, 401],
      ["wrong audience", input.tokens.wrongAudience, 401], ["other tenant", input.tokens.otherTenant, 401],
      ["no role", input.tokens.norole, 403]]) {
      const res = await page.evaluate(async (tok) => {
        const r = await fetch("/tab/api/register", { headers: tok ? { Authorization: "Bearer " + tok } : {} });
        return { status: r.status, body: await r.json() };
      }, tok);
      check(`API refuses a ${name} token (${want})`, res.status === want && !res.body.items, JSON.stringify(res));
    }
    await context.close();
  }
} catch (err) {
  check("the run completed", false, String(err && err.stack || err));
} finally {
  await browser.close();
  if (input.axeReport) fs.writeFileSync(input.axeReport, JSON.stringify(axeResults, null, 2));
}
process.exit(failures.length ? 1 : 0);
