#!/usr/bin/env node
// Walks through the employee's part of the mandate flow in the Microsoft 365 Agents Playground UI, as a person
// would: types into the compose box, taps card buttons, fills card inputs, and reads what the page shows.
//
//   node tools/playground/walkthrough.mjs [--url URL] [--out DIR] [--role NAME] [--timeout MS] [--no-pin] [--headed]
//
// Needs the bot (go run ./cmd/valtuusbotti serve) and the Playground as Elina Lindholm
// (node tools/playground/start.mjs --no-browser) already running; drives Debian's /usr/bin/chromium (or
// CHROMIUM_PATH) through playwright-core, so no browser is downloaded. Every step is checked against the page text
// and a screenshot is written to DIR (NN-step.png); the script exits 1 at the first expectation that fails,
// printing what the page showed instead, and 2 on bad arguments.
//
// Steps, in the personal chat:
//   1. "hei"                       → the Finnish welcome card ("Olen Valtuusbotti")
//      "suomi"                     → the language choice is stored (see --no-pin below)
//   2. "Mitä valtuuksia tarvitsen?" → the intake card
//   3. picks a role (--role, default Palkkasihteeri) in the dropdown and taps "Merkitse roolin tehtävät" → the card
//      re-renders with the role's tasks ticked
//   4. "Näytä tarvitsemani valtuudet" → the recommendation card (themes, why, look-alike warnings)
//   5. writes a justification, keeps the default end date, "Lähetä pyyntö" → the request status card (VB-YYYY-NNNN)
//   6. "omat valtuudet"            → "Omat valtuuteni" lists the pending request
//   7. "hei", taps "Svenska"       → the welcome card turns Swedish; taps "Suomi" to put Finnish back
//
// The bot keeps state, so a second run would ask for themes already requested. When the recommendation says there
// is nothing new to request, the walkthrough taps "Muuta vastauksiani" and tries the next role on the card; when
// every role is used up it accepts that and checks the "already requested" reference instead of submitting.
//
// --no-pin skips typing "suomi". The Playground sends locale en-US with every card tap; without a stored choice the
// bot must carry the language the person wrote in ("hei") to the cards they tap, which --no-pin checks.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const ROLE_DEFAULT = "Palkkasihteeri";
const justification = (role) =>
  `Teen näitä tehtäviä työssäni (${role}), ja ne vaativat valtuudet Suomi.fi:ssä. (Playground-läpikäynti)`;

// Finnish texts the steps look for (internal/i18n/messages/*.fi.json and *.sv.json).
const T = {
  welcomeFi: /Olen Valtuusbotti/,
  welcomeFiLang: /Puhun sinulle suomea/,
  welcomeAny: /(Olen|Jag är|I am) Valtuusbotti/,
  welcomeSv: /Jag är Valtuusbotti/,
  welcomeSvLang: /Jag talar svenska med dig/,
  languageChanged: "Selvä, puhun sinulle nyt suomea.",
  intakeTitle: /Mitä valtuuksia tarvitsen\?/,
  intakeRoles: /Aloita roolista/,
  intakeSubmit: "Näytä tarvitsemani valtuudet",
  roleSelected: (role) => new RegExp(`Valittu rooli: ${escapeRe(role)}\\.`),
  recTitle: /Työsi vaatimat valtuudet/,
  recWhy: /Miksi:/,
  recLookAlike: /Älä sekoita näihin:/,
  recNothingLeft: /uutta pyydettävää ei ole/,
  recPending: /Pyydetty jo pyynnössä (VB-\d{4}-\d{4,})/,
  recChange: "Muuta vastauksiani",
  recSubmit: "Lähetä pyyntö",
  statusTitle: /Pyyntösi (VB-\d{4}-\d{4,})/,
  statusPending: /Odottaa hyväksyntää/,
  mineTitle: /Omat valtuuteni/,
  mineOpen: /Avoimet pyynnöt/,
  english: /Which mandates do I need\?|Show the mandates I need|Choose the role|The mandates your work needs/,
};

// The button that ticks the tasks of the role chosen in the intake card's dropdown.
const APPLY_ROLE = "Merkitse roolin tehtävät";

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function usage(message) {
  if (message) console.error(`walkthrough.mjs: ${message}`);
  console.error(
    "usage: node tools/playground/walkthrough.mjs [--url URL] [--out DIR] [--role NAME] [--timeout MS] [--no-pin] [--headed]",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    url: process.env.PLAYGROUND_URL || "http://localhost:56150",
    out: join(tmpdir(), "valtuusbotti-walkthrough"),
    role: ROLE_DEFAULT,
    timeout: 20000,
    pin: true,
    headed: false,
    chromium: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  };
  const value = (i, name) => {
    if (i + 1 >= argv.length) usage(`${name} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline;
    if (a.startsWith("--") && a.includes("=")) [a, inline] = [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)];
    const take = () => (inline !== undefined ? inline : value(i++, a));
    switch (a) {
      case "--url": opts.url = take(); break;
      case "--out": opts.out = take(); break;
      case "--role": opts.role = take(); break;
      case "--timeout": opts.timeout = Number(take()); break;
      case "--no-pin": opts.pin = false; break;
      case "--headed": opts.headed = true; break;
      case "-h": case "--help": usage(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!Number.isFinite(opts.timeout) || opts.timeout < 1000) usage("--timeout must be at least 1000 (ms)");
  try {
    new URL(opts.url);
  } catch {
    usage(`--url is not a URL: ${opts.url}`);
  }
  opts.out = resolve(opts.out);
  return opts;
}

class StepError extends Error {}

// Walkthrough holds the page and the helpers the steps share.
class Walkthrough {
  constructor(page, opts) {
    this.page = page;
    this.opts = opts;
    this.cards = page.locator(".ac-adaptiveCard");
    this.step = "";
  }

  fail(message, detail = "") {
    throw new StepError(`step "${this.step}": ${message}${detail ? `\n--- page showed ---\n${detail}` : ""}`);
  }

  // logTail is the end of the Playground's log panel: it shows the HTTP status of each call to the bot.
  async logTail(lines = 8) {
    const body = await this.page.locator("body").innerText().catch(() => "");
    const i = body.lastIndexOf("Log Panel");
    return i < 0 ? "" : body.slice(i).split("\n").filter(Boolean).slice(-lines).join("\n");
  }

  async cardText(index) {
    return (await this.cards.nth(index).innerText().catch(() => "")).trim();
  }

  // waitForCard polls the cards from index `from` on until one matches every pattern; returns its index and text.
  // A card updated in place by Action.Execute keeps its index, a new message adds one, so both are found.
  // With `unless` = {pattern, message}, a card matching pattern fails the step at once.
  async waitForCard(from, patterns, what, unless) {
    const deadline = Date.now() + this.opts.timeout;
    let seen = "";
    for (;;) {
      const n = await this.cards.count();
      for (let i = n - 1; i >= from; i--) {
        const text = await this.cardText(i);
        if (patterns.every((p) => p.test(text))) return { index: i, text };
        if (unless && unless.pattern.test(text)) this.fail(unless.message, text.slice(0, 600));
        if (i === n - 1) seen = text;
      }
      if (Date.now() > deadline) {
        this.fail(`no card showed ${what} within ${this.opts.timeout} ms`,
          `${seen.slice(0, 1500) || "(no new card)"}\n--- log panel ---\n${await this.logTail()}`);
      }
      await this.page.waitForTimeout(250);
    }
  }

  async countText(s) {
    const body = await this.page.locator("body").innerText();
    return body.split(s).length - 1;
  }

  // waitForText waits until the page shows `s` more often than `before` times (a plain text reply).
  async waitForText(s, before) {
    try {
      await this.page.waitForFunction(
        ([s, before]) => document.body.innerText.split(s).length - 1 > before, [s, before],
        { timeout: this.opts.timeout, polling: 250 });
    } catch {
      this.fail(`the reply "${s}" did not appear within ${this.opts.timeout} ms`, await this.logTail());
    }
  }

  // settle waits (bounded) until the number of cards has not changed for a second: opening the Playground sends
  // an installation update, and the bot may answer it with a welcome card.
  async settle(max = 5000) {
    const deadline = Date.now() + max;
    let last = await this.cards.count();
    let since = Date.now();
    while (Date.now() < deadline && Date.now() - since < 1000) {
      await this.page.waitForTimeout(200);
      const n = await this.cards.count();
      if (n !== last) [last, since] = [n, Date.now()];
    }
  }

  // type sends a chat message the way a person does: click the compose box, type, press Enter.
  async type(text) {
    const box = this.page.getByRole("textbox");
    await box.click({ timeout: this.opts.timeout });
    await this.page.keyboard.type(text);
    await this.page.keyboard.press("Enter");
    // The compose box empties once the Playground has taken the message.
    await this.page.waitForFunction(() => {
      const el = document.querySelector('[role="textbox"]');
      return el && el.innerText.trim() === "";
    }, null, { timeout: this.opts.timeout }).catch(() => this.fail(`the compose box did not send "${text}"`));
  }

  // tap clicks the button titled `title` on card `index`.
  async tap(index, title) {
    const button = this.cards.nth(index).getByRole("button", { name: title, exact: true });
    if ((await button.count()) === 0) {
      this.fail(`card has no button "${title}"`, (await this.cardText(index)).slice(0, 1500));
    }
    await button.first().click({ timeout: this.opts.timeout });
  }

  // roleOptions lists the roles of the intake card's dropdown. The Playground renders a compact ChoiceSet as a
  // Fluent UI combobox whose options exist only while it is open.
  async roleOptions(index) {
    const combo = this.cards.nth(index).getByRole("combobox").first();
    if ((await combo.count()) === 0) this.fail("the intake card has no role dropdown");
    await combo.click({ timeout: this.opts.timeout });
    const options = this.page.getByRole("option");
    await options.first().waitFor({ timeout: this.opts.timeout });
    const names = (await options.allTextContents()).map((t) => t.trim());
    await this.page.keyboard.press("Escape");
    return names;
  }

  // chooseRole picks a role in the intake card's dropdown.
  async chooseRole(index, role) {
    await this.cards.nth(index).getByRole("combobox").first().click({ timeout: this.opts.timeout });
    await this.page.getByRole("option", { name: role, exact: true }).click({ timeout: this.opts.timeout });
  }

  // buttons lists the titles of the buttons on card `index`, in order.
  async buttons(index) {
    return this.cards.nth(index).locator("button").evaluateAll((bs) => bs.map((b) => b.title || b.innerText.trim()));
  }

  // screenshot saves the bot's message holding card `index` (the whole card, with the bot's name above it) as
  // DIR/name.png; names start with the step number.
  async screenshot(index, name) {
    const file = join(this.opts.out, `${name}.png`);
    const card = this.cards.nth(index);
    const box0 = await card.boundingBox();
    const page = this.page;
    const size = page.viewportSize();
    // The chat scrolls inside a pane, so a card taller than the window would be cut: grow the window to fit it.
    // Room for the Playground's top bar (48 px), the bot's name line and the compose box below the chat.
    const need = Math.ceil((box0?.height ?? 0) + 320);
    if (need > size.height) await page.setViewportSize({ width: size.width, height: need });
    try {
      await card.evaluate((e) => e.scrollIntoView({ block: "center" }));
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const box = await card.boundingBox();
      const vp = page.viewportSize();
      const top = Math.max(48, box.y - 36); // the "Valtuusbotti 7:52 AM" line above the card, below the top bar
      const clip = { x: Math.max(0, box.x - 64), y: top, width: Math.min(vp.width, box.width + 96),
        height: Math.min(vp.height - top, box.y - top + box.height + 8) };
      await page.screenshot({ path: file, clip });
    } finally {
      if (need > size.height) await page.setViewportSize(size);
    }
    console.log(`    screenshot ${file}`);
  }

  async begin(step) {
    this.step = step;
    console.log(`• ${step}`);
  }
}

async function run(w, opts) {
  const page = w.page;
  const report = {};

  await w.begin("open the Playground");
  await page.goto(opts.url, { waitUntil: "domcontentloaded", timeout: opts.timeout }).catch((e) =>
    w.fail(`cannot open ${opts.url} (${e.message.split("\n")[0]}): is the Playground running? ` +
      "node tools/playground/start.mjs --no-browser"));
  await page.getByRole("textbox").waitFor({ timeout: opts.timeout })
    .catch(() => w.fail(`no compose box at ${opts.url}: is the Playground running?`));
  await w.settle();

  // 1. Welcome.
  await w.begin("1. hei → Finnish welcome card");
  let from = await w.cards.count();
  await w.type("hei");
  let c = await w.waitForCard(from, [T.welcomeAny], "the welcome card");
  if (!T.welcomeFi.test(c.text)) {
    // A language chosen earlier (an interrupted run) wins over "hei": choose Finnish on the card, as a person would.
    console.log("    the welcome came in another language; tapping Suomi");
    await w.tap(c.index, "Suomi");
    c = await w.waitForCard(c.index, [T.welcomeFi], "the welcome card in Finnish after tapping Suomi");
  }
  if (!T.welcomeFiLang.test(c.text)) w.fail('the welcome card does not say "Puhun sinulle suomea"', c.text);
  await w.screenshot(c.index, "01-welcome");

  if (opts.pin) {
    await w.begin('1b. "suomi" → the language choice is stored');
    const before = await w.countText(T.languageChanged);
    await w.type("suomi");
    await w.waitForText(T.languageChanged, before);
  }

  // 2. Intake.
  await w.begin("2. Mitä valtuuksia tarvitsen? → intake card");
  from = await w.cards.count();
  await w.type("Mitä valtuuksia tarvitsen?");
  c = await w.waitForCard(from, [T.intakeTitle, T.intakeRoles], "the intake card");
  const intake = c.index;
  await w.screenshot(intake, "02-intake");

  // 3-4. Role, then the recommendation; another role when everything is already requested.
  const roles = await w.roleOptions(intake);
  if (!roles.includes(opts.role)) w.fail(`no role "${opts.role}" in the intake card's dropdown`, roles.join(" | "));
  const order = [opts.role, ...roles.filter((r) => r !== opts.role)];
  let rec = null;
  let accepted = null;
  for (const [n, role] of order.entries()) {
    await w.begin(`3. choose role ${role} → tasks ticked`);
    await w.chooseRole(intake, role);
    await w.tap(intake, APPLY_ROLE);
    c = await w.waitForCard(intake, [T.roleSelected(role)], `"Valittu rooli: ${role}."`, {
      pattern: T.english,
      message: "the card turned English after tapping a role on a Finnish card (the tap carried locale en-US and " +
        "no language was stored)",
    });
    const ticked = await w.cards.nth(intake).locator('input[type="checkbox"]:checked').evaluateAll((xs) =>
      xs.map((x) => x.getAttribute("aria-label") || x.title || x.id));
    if (ticked.length === 0) w.fail(`no task is ticked after choosing ${role}`, c.text.slice(0, 1500));
    console.log(`    ${ticked.length} task(s) ticked: ${ticked.join("; ")}`);
    if (n === 0) await w.screenshot(intake, "03-role-ticked");

    await w.begin("4. Näytä tarvitsemani valtuudet → recommendation card");
    await w.tap(intake, T.intakeSubmit);
    c = await w.waitForCard(intake, [T.recTitle], "the recommendation card");
    report.role = role;
    report.lookAlikes = T.recLookAlike.test(c.text);
    report.themes = (c.text.match(/Tehtäviisi tarvittavia valtuusasioita: (\d+)\. Uusia pyydettäviä: (\d+)\./) || [])
      .slice(1).join(" needed, ") + " new";
    console.log(`    ${report.themes}; look-alike warnings: ${report.lookAlikes ? "yes" : "no"}`);
    if (!T.recNothingLeft.test(c.text)) {
      if (!T.recWhy.test(c.text)) w.fail('the recommendation has no "Miksi:" (why)', c.text.slice(0, 1500));
      rec = c;
      break;
    }
    const pending = c.text.match(T.recPending);
    console.log(`    everything for ${role} is already requested${pending ? ` (${pending[1]})` : ""}`);
    if (n === order.length - 1) {
      if (!pending) w.fail("nothing left to request, but no earlier request reference is shown", c.text.slice(0, 1500));
      accepted = { card: c, reference: pending[1] };
      break;
    }
    await w.begin(`4b. ${T.recChange} → back to the intake card`);
    await w.tap(intake, T.recChange);
    await w.waitForCard(intake, [T.intakeTitle, T.intakeRoles], "the intake card again");
  }

  let reference;
  if (rec) {
    await w.screenshot(rec.index, "04-recommendation");

    // 5. Justification, default end date, submit.
    await w.begin("5. justification + default end date, Lähetä pyyntö → request status card");
    const card = w.cards.nth(rec.index);
    const area = card.locator("textarea");
    const field = (await area.count()) > 0 ? area.first() : card.locator('input[type="text"]').first();
    await field.fill(justification(report.role), { timeout: opts.timeout });
    // Input.Date: the Playground renders a Fluent UI date picker (a text combobox showing e.g. "November 25, 2028");
    // a plain <input type="date"> is accepted too.
    const date = card.locator('input[type="date"], input[role="combobox"][aria-haspopup="dialog"]');
    if ((await date.count()) === 0) w.fail("the recommendation card has no end date input", rec.text.slice(0, 1500));
    report.validUntil = (await date.first().inputValue()).trim();
    if (!/\d{4}/.test(report.validUntil)) w.fail(`the end date has no default (value "${report.validUntil}")`);
    console.log(`    default end date ${report.validUntil}`);
    const from5 = rec.index;
    await w.tap(rec.index, T.recSubmit);
    c = await w.waitForCard(from5, [T.statusTitle], "the request status card (Pyyntösi VB-…)");
    if (!T.statusPending.test(c.text)) w.fail('the request is not "Odottaa hyväksyntää"', c.text.slice(0, 1500));
    reference = c.text.match(T.statusTitle)[1];
    console.log(`    request ${reference}`);
    await w.screenshot(c.index, "05-request-status");
  } else {
    await w.screenshot(accepted.card.index, "05-already-requested");
    reference = accepted.reference;
    console.log(`    every role is already requested: accepting ${reference} instead of a new request`);
  }
  report.reference = reference;

  // 6. My mandates.
  await w.begin("6. omat valtuudet → my mandates lists the request");
  from = await w.cards.count();
  await w.type("omat valtuudet");
  c = await w.waitForCard(from, [T.mineTitle, T.mineOpen], '"Omat valtuuteni" with open requests');
  if (!c.text.includes(reference)) w.fail(`"Omat valtuuteni" does not list ${reference}`, c.text.slice(0, 1500));
  if (!T.statusPending.test(c.text)) w.fail(`"Omat valtuuteni" does not show ${reference} as pending`, c.text.slice(0, 1500));
  await w.screenshot(c.index, "06-my-mandates");

  // 7. Language switch, and back.
  await w.begin("7. hei, tap Svenska → the welcome card turns Swedish");
  from = await w.cards.count();
  await w.type("hei");
  c = await w.waitForCard(from, [T.welcomeFi], "the Finnish welcome card");
  const welcome = c.index;
  await w.tap(welcome, "Svenska");
  c = await w.waitForCard(welcome, [T.welcomeSv, T.welcomeSvLang], "the Swedish welcome card (in place)");
  await w.screenshot(welcome, "07-svenska");
  await w.begin("7b. tap Suomi → Finnish again");
  await w.tap(welcome, "Suomi");
  await w.waitForCard(welcome, [T.welcomeFi, T.welcomeFiLang], "the Finnish welcome card again");

  return report;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(opts.out, { recursive: true });
  // Screenshots of an earlier run would pass for this run's: remove them (only the names this script writes).
  for (const f of readdirSync(opts.out)) {
    if (/^(\d\d-[a-z-]+|failure)\.png$/.test(f)) rmSync(join(opts.out, f), { force: true });
  }
  const browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: !opts.headed,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  let w;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "fi-FI" });
    page.setDefaultTimeout(opts.timeout);
    w = new Walkthrough(page, opts);
    const report = await run(w, opts);
    console.log(`OK: ${report.reference} (role ${report.role}, ${report.themes}, ` +
      `look-alike warnings ${report.lookAlikes ? "shown" : "none"}${report.validUntil ? `, until ${report.validUntil}` : ""}); ` +
      `screenshots in ${opts.out}`);
  } catch (e) {
    if (w) {
      await w.page.screenshot({ path: join(opts.out, "failure.png") }).catch(() => {});
    }
    console.error(`FAILED: ${e instanceof StepError ? e.message : e.stack || e}`);
    console.error(`screenshot of the page: ${join(opts.out, "failure.png")}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

await main();
