#!/usr/bin/env node
// Walks through the mandate flow in the Microsoft 365 Agents Playground UI, as the people in it would: types into
// the compose box, taps card buttons, fills card inputs, and reads what the page shows.
//
//   node tools/playground/walkthrough.mjs [--as elina|sami|mikael|oskar] [--steps|--final] [--ref VB-YYYY-NNNN] [--url URL]
//                                         [--out DIR] [--role NAME] [--timeout MS] [--no-pin] [--headed]
//   node tools/playground/walkthrough.mjs --all [--bot URL] [--url URL] [--out DIR] [--role NAME] [--timeout MS]
//   node tools/playground/walkthrough.mjs --newcomer [--bot URL] [--url URL] [--out DIR] [--role NAME] [--timeout MS]
//   node tools/playground/walkthrough.mjs --alerts [--bot URL] [--url URL] [--out DIR] [--timeout MS]
//   node tools/playground/walkthrough.mjs --handoff [--bot URL] [--url URL] [--employee-url URL] [--out DIR] [--timeout MS]
//
// --handoff (issue 11) starts two Playgrounds at once: Dina Korhonen (a digituki supporter) on the port of --url,
// with the team's id (and so its General channel's) set to digituki.channel_id of organisation.yaml, and Elina
// Lindholm on the port of --employee-url (default: --url's port + 1). Elina asks what the FAQ cannot answer and taps
// Kysy ihmiseltä; the card appears in the channel; Dina takes it; Elina's follow-up is relayed into the thread and
// Dina's @Valtuusbotti reply back to Elina; Dina closes it. Screenshots handoff-NN-*.png.
//
// Needs the bot (go run ./cmd/valtuusbotti serve) running. A single part (--as) needs the Playground running as
// that person (node tools/playground/start.mjs --no-browser [--user sami]); --all starts and stops the Playground
// itself, once per person, on the port of --url. Drives Debian's /usr/bin/chromium (or CHROMIUM_PATH) through
// playwright-core, so no browser is downloaded. Every step is checked against the page text and a screenshot is
// written to DIR (NN-step.png); the script exits 1 at the first expectation that fails, printing what the page
// showed instead, and 2 on bad arguments. Every wait is bounded by --timeout.
//
// The Playground shows only the current user's chat and forgets it when the page is reloaded, so each part opens
// the page once and does everything in that one visit.
//
// --as elina (the employee, default), in the personal chat:
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
// --as sami (the supervisor, Elina's approver):
//   8. the approval card that waited in the outbox arrives when his chat opens (base view, one "open" button);
//      "suomi"; "hyväksyttävät" lists the request; "Avaa päätettäväksi" on the card (or "Avaa" in the list when the
//      card did not arrive) → the decision view (a toggle per theme, all on); "Hyväksy kaikki" → the card turns
//      final: "Pyyntö VB-… on hyväksytty", Päättäjä Sami Virtanen, no buttons, no inputs; "hyväksyttävät" no longer
//      lists it.
//
// --as elina --steps (the employee after the approval; an approved request takes the valtuuspyyntö path, the
// organisation's default):
//  S1. the decision notice "Pyyntösi VB-… hyväksyttiin" that waited arrives when her chat opens, saying the steps
//      come next
//  S2. the card "Pyydä valtuudet Suomi.fi:ssä (VB-…)" arrives with it: steps 1-7, step 4 names the city and its
//      Y-tunnus (internal/catalog/data/organisation.yaml), step 5 lists every approved theme, step 6 the approved end
//      date; buttons "Avaa Suomi.fi-valtuudet" (opening Suomi.fi), "Lähetin pyynnön", "En pysty tekemään pyyntöä"
//  S3. "Lähetin pyynnön" → the card says "Kerroit lähettäneesi valtuuspyynnön <today>" and offers neither button
//      again. Only now do the main users get the task of accepting her request.
//
// --as mikael (the main user):
//   9. the grant task card arrives when his chat opens; "suomi"; "tehtävät" lists the request; "yleiskuva" counts it
//      among the approved themes not yet granted; "Avaa" in the list → the grant task in Finnish with the
//      valtuuspyyntö steps ("Näin vahvistat valtuuspyynnön Suomi.fi:ssä": step 2 the city and its Y-tunnus, step 3
//      the request Elina sent, step 4 "Tarkista valtuusasiat ja voimassaolo (<from>–<until>) ja hyväksy pyyntö."
//      matching the date inputs: today until the requested end; "Näytä vaiheet" first when they are folded, as for a
//      main user who has recorded a grant before), every theme ticked, no "not sent yet" warning;
//      "tulevat muistutukset" → "Tulevat muistutukset (30 päivää)" lists the weekly digest ("viikon katsaus") and
//      the reminders of this task; "Myönnetty" → the card turns final ("Myöntötehtävä VB-… on käsitelty", every
//      theme Myönnetty with its period, no buttons); the copy that arrived turns final too; "tehtävät" no longer
//      lists it, "yleiskuva" counts the new mandates in force and "tulevat muistutukset" keeps the digest but no
//      reminder of the task.
//
// --as elina --final (the employee after the grant):
//  10. "omat valtuudet" shows the request's themes under "Voimassa", each "<end date> asti", and the request no
//      longer open; then checks that the granted notice ("Valtuudet on myönnetty") reached her chat, every theme
//      with the period granted. (The decision notice and the steps came on her visit after the approval.)
//
// --as oskar (a new employee, Oskar Berg, school secretary; the scenario "new employee"), in the personal chat:
//  N1. "hei" → the welcome card; "suomi" → the language choice is stored
//  N2. "Mitä valtuuksia tarvitsen?" → the intake card: the role dropdown and "Näytä tarvitsemani valtuudet" come
//      before the task areas, and every area is folded (no task shows)
//  N3. taps the header "▸ Avustukset ja rahoitus" → the area's tasks show, each with an everyday example
//      ("– esim. …"); taps "▾ Avustukset ja rahoitus" → folded again
//  N4. picks a role (--role, default Koulusihteeri) in the dropdown, ticks nothing
//  N5. "Näytä tarvitsemani valtuudet" at once (no "tick the role's tasks" step) → the recommendation, whose "why"
//      names the role's tasks from internal/catalog/data (and no other task)
//  N6. a justification, the default end date, "Lähetä pyyntö" → the request status card (VB-YYYY-NNNN, waiting for
//      approval)
//  N7. "omat valtuudet" → the request is listed
//  Screenshots: newcomer-01-intake … newcomer-06-my-mandates. On a database where Oskar already asked for everything
//  the role needs, it taps "Muuta vastauksiani", picks the next role in the dropdown and taps the main button again,
//  leaving the old role's ticks untouched (the new role's tasks must count); when every role is used up it checks
//  the "already requested" reference instead of submitting.
//
// --newcomer starts the Playground as Oskar on the port of --url, plays --as oskar and stops it again (like --all).
//
// --alerts plays the alerts (herätteet, issue 8) with the bot's clock run ahead. It builds the bot (go build) and
// runs it itself on the port of --bot, with a new SQLite database under the system's temporary directory,
// VALTUUS_ALERT_INTERVAL=2s and, after the first start, VALTUUS_CLOCK_OFFSET; the moments come from the real time
// and the Finnish working calendar (worktime.mjs, a copy of internal/worktime's rules, checked against the bot's own
// list first):
//  on the real clock: --all's first three parts (Elina asks, with an end date chosen so that its 60-day notice falls
//      on a working day at least five weeks away; Sami approves; Elina sends the valtuuspyyntö), then
//  A1. Mikael: the grant task arrives; "suomi"; "tulevat muistutukset" says when the task's first reminder (3 working
//      days on, in working hours) and the next weekly digest fall due; he does not grant
//  A2. the clock half an hour after the reminder is due (in working hours): the task card comes again, marked
//      "Muistutus: tämä tehtävä on odottanut N työpäivää" with N the working days since Elina sent the request
//  A3. the clock at 08:30 on the next week's first working day: "Viikon katsaus: valtuudet" lists the open task;
//      "Avaa" on its row → the grant task; "Myönnetty" with the default dates (the clock's today – Elina's end date)
//  A4. the clock at 09:00 on the day 60 days before the end: one expiry notice per mandate in Elina's chat, "60
//      päivää jäljellä", with "Uusi" and "Anna päättyä"
//  A5. "Anna päättyä" on the first → "Elina Lindholm valitsi <date>, että valtuuden annetaan päättyä. Siitä ei enää
//      muistuteta." and neither button
// Screenshots alerts-01-reminder, alerts-02-digest, alerts-03-expiry, alerts-04-lapsed go to --out; those of the
// first parts, the logs and the database to the temporary directory it prints. The bot is started after the
// Playground listens (whose configuration endpoint answers only once the bot does), so the alerts it sends at once
// wait in the Playground for the page.
//
// --all runs elina → sami → elina --steps → mikael → elina --final, (re)starting the Playground as each person with
// start.mjs and stopping it afterwards, passing the request reference, its themes and dates along. --all and
// --newcomer write the Playground's output to a new directory under the system's temporary directory (printed), not
// to --out, which may be docs/walkthrough. It refuses to start when something already listens on the Playground's
// port (stop your Playground first) or when the bot does not answer.
//
// --ref names the request the sami, --steps, mikael and --final parts handle (default: the one whose card arrives,
// else the first in the list). The bot keeps state, so a second employee run would ask for themes already
// requested: when the recommendation says there is nothing new to request, the walkthrough taps "Muuta
// vastauksiani" and tries the next role on the card; when every role is used up it accepts that and checks the
// "already requested" reference instead of submitting.
//
// --no-pin skips typing "suomi" (employee part only). The Playground sends locale en-US with every card tap; without
// a stored choice the bot must carry the language the person wrote in ("hei") to the cards they tap, which --no-pin
// checks.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { parse as parseYaml } from "yaml";
import * as wt from "./worktime.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ROLE_DEFAULT = "Palkkasihteeri";
const NEWCOMER_ROLE_DEFAULT = "Koulusihteeri";
const CATALOG_DIR = join(here, "..", "..", "internal", "catalog", "data");
const justification = (role) =>
  `Teen näitä tehtäviä työssäni (${role}), ja ne vaativat valtuudet Suomi.fi:ssä. (Playground-läpikäynti)`;

// The people of the parts, as .m365agentsplayground.yml and docs/demo-people.md name them.
const PEOPLE = {
  elina: { name: "Elina Lindholm", role: "the employee" },
  sami: { name: "Sami Virtanen", role: "the supervisor" },
  mikael: { name: "Mikael Nordström", role: "the main user" },
  oskar: { name: "Oskar Berg", role: "a new employee" },
  dina: { name: "Dina Korhonen", role: "a digituki supporter" },
};

// Finnish texts the steps look for (internal/i18n/messages/*.fi.json and *.sv.json); a card delivered before the
// person chose a language comes in the Playground's en-US, so those patterns accept all three languages.
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
  areaToggle: (area) => `Näytä tai piilota alueen tehtävät: ${area}`,
  example: " – esim. ",
  recSubmit: "Lähetä pyyntö",
  statusTitle: /Pyyntösi (VB-\d{4}-\d{4,})/,
  statusPending: /Odottaa hyväksyntää/,
  mineTitle: /Omat valtuuteni/,
  mineOpen: /Avoimet pyynnöt/,
  english: /Which mandates do I need\?|Show the mandates I need|Choose the role|The mandates your work needs/,

  // Supervisor.
  approvalTitleAny: /pyytää Suomi\.fi-valtuuksia|asks for Suomi\.fi mandates|begär Suomi\.fi-fullmakter/,
  approvalOpen: { fi: "Avaa päätettäväksi", en: "Open for decision", sv: "Öppna för beslut" },
  approvalWaiting: (ref) => new RegExp(`Pyyntö ${escapeRe(ref)} odottaa päätöstäsi`),
  approvalDecision: /Päätöksesi/,
  approveAll: "Hyväksy kaikki",
  approvalFinal: (ref) => new RegExp(`Pyyntö ${escapeRe(ref)} on hyväksytty`),
  itemApproved: "Hyväksytty – odottaa myöntämistä Suomi.fi:ssä",
  pendingTitle: /Päätöstäsi odottavat pyynnöt/,
  pendingEmpty: /Päätöstäsi ei odota yhtään pyyntöä/,

  // Employee after the approval (the valtuuspyyntö path, employee.fi.json).
  decisionNextRequest: "Saat seuraavaksi vaiheittaiset ohjeet valtuuspyynnön tekemiseen Suomi.fi:ssä.",
  stepsIntro: /Pyyntösi on hyväksytty\. Nopein tapa edetä: tee itse valtuuspyyntö Suomi\.fi:ssä/,
  stepsOpen: "Avaa Suomi.fi-valtuudet",
  stepsSent: "Lähetin pyynnön",
  stepsCannot: "En pysty tekemään pyyntöä",
  stepsSentDone: /Kerroit lähettäneesi valtuuspyynnön (\d{1,2}\.\d{1,2}\.\d{4})\. Pääkäyttäjä vahvistaa sen/,
  stepsDirect: /Pääkäyttäjä myöntää hyväksytyt valtuudet sinulle suoraan/,

  // Main user.
  grantTitleAny: /Myönnä valtuudet Suomi\.fi:ssä:|Grant mandates in Suomi\.fi:|Ge fullmakter i Suomi\.fi:/,
  grantTitle: /Myönnä valtuudet Suomi\.fi:ssä: /,
  // The valtuuspyyntö path (the default): the main user accepts the request the employee sent.
  grantAccept: /Näin vahvistat valtuuspyynnön Suomi\.fi:ssä/,
  grantPathRequest: "Myöntötapa: työntekijän valtuuspyyntö.",
  grantAcceptOrg: (org, bid) => `Valitse Yrityksen valtuudet ja organisaatio: ${org} (${bid}).`,
  grantAcceptFrom: (name) => `Avaa saapuneet valtuuspyynnöt ja etsi pyyntö, jonka on lähettänyt ${name}`,
  grantAcceptPeriod: /^Tarkista valtuusasiat ja voimassaolo \((\d{1,2}\.\d{1,2}\.\d{4})–(\d{1,2}\.\d{1,2}\.\d{4})\) ja hyväksy pyyntö\./,
  grantUnfiled: /ei ole vielä kertonut lähettäneensä valtuuspyyntöä/,
  // The direct grant, which a request takes only when the employee or a main user switches it.
  grantDirectSteps: /Näin myönnät valtuuden Suomi\.fi:ssä/,
  grantDirectButton: "Myönnä suoraan",
  stepsShow: "Näytä vaiheet",
  grantFailed: "Ei voitu myöntää",
  grantDone: "Myönnetty",
  grantFinal: (ref) => new RegExp(`Myöntötehtävä ${escapeRe(ref)} on käsitelty`),
  grantFinalAny: (ref) => new RegExp(`(Myöntötehtävä ${escapeRe(ref)} on käsitelty|Grant task ${escapeRe(ref)} is done|Uppgiften ${escapeRe(ref)} är behandlad)`),
  grantsTitle: /Avoimet myöntötehtävät/,
  grantsEmpty: /Ei avoimia myöntötehtäviä/,
  overviewTitle: /Valtuuksien tilanne \d{1,2}\.\d{1,2}\.\d{4}/,
  listOpen: "Avaa",
  // The main users' alerts to come (issue 8; alerts.fi.json).
  upcomingTitle: /Tulevat muistutukset \(30 päivää\)/,
  upcomingDigest: "viikon katsaus",
  upcomingGrantReminder: (ref) => `muistutus myöntötehtävästä ${ref} (`,

  // The alerts (herätteet, issue 8; admin.fi.json, mandates.fi.json), played by --alerts.
  reminderMark: /Muistutus: tämä tehtävä on odottanut (\d+) työpäivää\./,
  digestTitle: /Viikon katsaus: valtuudet/,
  digestWhy: "Saat tämän koosteen pääkäyttäjänä joka viikon ensimmäisenä työpäivänä.",
  digestGrants: /Avoimet myöntötehtävät: (\d+)/,
  expiryTitle: (date) => new RegExp(`^Valtuus päättyy ${escapeRe(date)}`),
  expiryWhy: "Sait tämän viestin, koska Suomi.fi-valtuutesi päättyy pian eikä Suomi.fi muistuta siitä itse.",
  expiryLeft: (n) => `${n} päivää jäljellä`,
  expiryRenew: "Uusi",
  expiryLapse: "Anna päättyä",
  lapsing: (name, date) => `${name} valitsi ${date}, että valtuuden annetaan päättyä. Siitä ei enää muistuteta.`,

  // Employee after the grant.
  decisionNotice: (ref) => new RegExp(`Pyyntösi ${escapeRe(ref)} hyväksyttiin`),
  stepsNotice: (ref) => new RegExp(`Pyydä valtuudet Suomi\\.fi:ssä \\(${escapeRe(ref)}\\)`),
  grantedNotice: /Valtuu(s|det) on myönnetty/,
  mineActive: "Voimassa",
};

// Where the Suomi.fi steps' button leads (cards.SuomiFiMandatesURL, steps.url).
const SUOMI_FI_URL = "https://www.suomi.fi/valtuudet";

// The button that ticks the tasks of the role chosen in the intake card's dropdown.
const APPLY_ROLE = "Merkitse roolin tehtävät";

// Fluent UI's date picker shows a date as "25. marraskuuta 2029" in a fi-FI browser.
const FI_MONTHS = ["tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta", "heinäkuuta",
  "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"];

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// isoDate reads a date as a card or a date picker shows it ("25.11.2029", "25. marraskuuta 2029", "2029-11-25")
// and returns "2029-11-25", or "" when it is not a date.
function isoDate(s) {
  const t = String(s).trim();
  const pad = (n) => String(n).padStart(2, "0");
  let m = t.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (m) return t;
  m = t.match(/^(\d{1,2})\.(\d{1,2})\.(\d{4})$/);
  if (m) return `${m[3]}-${pad(m[2])}-${pad(m[1])}`;
  m = t.match(/^(\d{1,2})\. (\p{L}+) (\d{4})$/u);
  if (m && FI_MONTHS.includes(m[2].toLowerCase())) return `${m[3]}-${pad(FI_MONTHS.indexOf(m[2].toLowerCase()) + 1)}-${pad(m[1])}`;
  return "";
}

// fiDate is "2029-11-25" as the cards write it in Finnish: "25.11.2029".
function fiDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${d}.${m}.${y}`;
}

const USAGE =
  "usage: node tools/playground/walkthrough.mjs [--as elina|sami|mikael|oskar] [--steps|--final] [--ref VB-YYYY-NNNN] [--url URL]\n" +
  "                                             [--out DIR] [--role NAME] [--timeout MS] [--no-pin] [--headed]\n" +
  "       node tools/playground/walkthrough.mjs --all [--bot URL] [--url URL] [--out DIR] [--role NAME] [--timeout MS] [--headed]\n" +
  "       node tools/playground/walkthrough.mjs --newcomer [--bot URL] [--url URL] [--out DIR] [--role NAME] [--timeout MS] [--headed]\n" +
  "       node tools/playground/walkthrough.mjs --alerts [--bot URL] [--url URL] [--out DIR] [--timeout MS] [--headed]\n" +
  "       node tools/playground/walkthrough.mjs --handoff [--bot URL] [--url URL] [--employee-url URL] [--out DIR] [--timeout MS] [--headed]";

function usage(message) {
  if (message) console.error(`walkthrough.mjs: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    url: process.env.PLAYGROUND_URL || "http://localhost:56150",
    bot: process.env.BOT_ENDPOINT || "http://localhost:3978/api/messages",
    out: join(tmpdir(), "valtuusbotti-walkthrough"),
    as: "elina",
    final: false,
    steps: false,
    all: false,
    newcomer: false,
    alerts: false,
    handoff: false,
    employeeUrl: "",
    ref: "",
    role: "",
    timeout: 20000,
    pin: true,
    headed: false,
    chromium: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  };
  const given = new Set();
  const value = (i, name) => {
    if (i + 1 >= argv.length) usage(`${name} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline;
    if (a.startsWith("--") && a.includes("=")) [a, inline] = [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)];
    const take = () => (inline !== undefined ? inline : value(i++, a));
    given.add(a);
    switch (a) {
      case "--url": opts.url = take(); break;
      case "--bot": opts.bot = take(); break;
      case "--out": opts.out = take(); break;
      case "--as": opts.as = take().toLowerCase(); break;
      case "--final": opts.final = true; break;
      case "--steps": opts.steps = true; break;
      case "--all": opts.all = true; break;
      case "--newcomer": opts.newcomer = true; break;
      case "--alerts": opts.alerts = true; break;
      case "--handoff": opts.handoff = true; break;
      case "--employee-url": opts.employeeUrl = take(); break;
      case "--ref": opts.ref = take(); break;
      case "--role": opts.role = take(); break;
      case "--timeout": opts.timeout = Number(take()); break;
      case "--no-pin": opts.pin = false; break;
      case "--headed": opts.headed = true; break;
      case "-h": case "--help": usage(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!Number.isFinite(opts.timeout) || opts.timeout < 1000) usage("--timeout must be at least 1000 (ms)");
  for (const [name, u] of [["--url", opts.url], ["--bot", opts.bot]]) {
    try {
      new URL(u);
    } catch {
      usage(`${name} is not a URL: ${u}`);
    }
  }
  if (!PEOPLE[opts.as]) usage(`--as must be one of ${Object.keys(PEOPLE).join(", ")} (got "${opts.as}")`);
  if (opts.ref && !/^VB-\d{4}-\d{4,}$/.test(opts.ref)) usage(`--ref must look like VB-2026-0001 (got "${opts.ref}")`);
  if ([opts.all, opts.newcomer, opts.alerts, opts.handoff].filter(Boolean).length > 1) {
    usage("--all, --newcomer, --alerts and --handoff are separate runs");
  }
  if (opts.handoff) {
    for (const a of ["--as", "--final", "--steps", "--ref", "--role", "--no-pin"]) {
      if (given.has(a)) usage(`--handoff cannot be combined with ${a}`);
    }
    const u = new URL(opts.url);
    if (!opts.employeeUrl) {
      u.port = String(portOf(opts.url) + 1);
      opts.employeeUrl = u.origin;
    }
    try {
      new URL(opts.employeeUrl);
    } catch {
      usage(`--employee-url is not a URL: ${opts.employeeUrl}`);
    }
    opts.employeeUrl = opts.employeeUrl.replace(/\/+$/, "");
    if (opts.employeeUrl === opts.url.replace(/\/+$/, "")) usage("--employee-url must differ from --url");
  } else if (given.has("--employee-url")) usage("--employee-url is for --handoff only");
  if (opts.as === "dina") usage("Dina Korhonen plays only in --handoff");
  if (opts.all || opts.newcomer || opts.alerts) {
    const flag = opts.all ? "--all" : opts.newcomer ? "--newcomer" : "--alerts";
    for (const a of ["--as", "--final", "--steps", "--ref", "--no-pin", ...(opts.alerts ? ["--role"] : [])]) {
      if (given.has(a)) usage(`${flag} cannot be combined with ${a}`);
    }
    if (opts.newcomer) opts.as = "oskar";
  } else if (!opts.handoff) {
    if (opts.final && opts.as !== "elina") usage("--final is for --as elina only");
    if (opts.steps && opts.as !== "elina") usage("--steps is for --as elina only");
    if (opts.steps && opts.final) usage("--steps and --final are separate parts");
    if (!["elina", "oskar"].includes(opts.as) || opts.final || opts.steps) {
      for (const a of ["--role", "--no-pin"]) if (given.has(a)) usage(`${a} is for an employee's part (--as elina or --as oskar) only`);
    }
    if (opts.as === "oskar" && given.has("--no-pin")) usage("--no-pin is for --as elina only");
    if (given.has("--bot")) usage("--bot is for --all, --newcomer, --alerts and --handoff only");
  }
  opts.role ||= opts.as === "oskar" ? NEWCOMER_ROLE_DEFAULT : ROLE_DEFAULT;
  opts.out = resolve(opts.out);
  opts.url = opts.url.replace(/\/+$/, "");
  return opts;
}

class StepError extends Error {}

// Walkthrough holds the page and the helpers the steps share.
class Walkthrough {
  constructor(page, opts) {
    this.page = page;
    this.opts = opts;
    this.cards = page.locator(".ac-adaptiveCard");
    // The compose box (a Lexical editor); card inputs are text boxes too, so it is picked by its editor markup.
    this.compose = page.locator('div[role="textbox"][contenteditable="true"]');
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

  // findCard polls the cards from index `from` on until one matches every pattern; returns its index and text, or
  // null after `wait` ms. The newest match wins. A card updated in place by Action.Execute keeps its index, a new
  // message adds one, so both are found. With `unless` = {pattern, message}, a card matching pattern fails the step
  // at once.
  async findCard(from, patterns, wait = this.opts.timeout, unless) {
    const deadline = Date.now() + wait;
    let seen = "";
    for (;;) {
      const n = await this.cards.count();
      for (let i = n - 1; i >= from; i--) {
        const text = await this.cardText(i);
        if (patterns.every((p) => p.test(text))) return { index: i, text, seen };
        if (unless && unless.pattern.test(text)) this.fail(unless.message, text.slice(0, 600));
        if (i === n - 1) seen = text;
      }
      if (Date.now() > deadline) return { index: -1, text: "", seen };
      await this.page.waitForTimeout(250);
    }
  }

  // waitForCard is findCard that fails the step when no card matches within the timeout.
  async waitForCard(from, patterns, what, unless) {
    const c = await this.findCard(from, patterns, this.opts.timeout, unless);
    if (c.index < 0) {
      this.fail(`no card showed ${what} within ${this.opts.timeout} ms`,
        `${c.seen.slice(0, 1500) || "(no new card)"}\n--- log panel ---\n${await this.logTail()}`);
    }
    return c;
  }

  // waitForChange waits until card `index` no longer shows `before` and matches every pattern (an in-place update
  // pushed by the bot, not by this page's own tap).
  async waitForChange(index, patterns, what) {
    const deadline = Date.now() + this.opts.timeout;
    let text = "";
    for (;;) {
      text = await this.cardText(index);
      if (patterns.every((p) => p.test(text))) return text;
      if (Date.now() > deadline) {
        this.fail(`card ${index} did not change to ${what} within ${this.opts.timeout} ms`,
          `${text.slice(0, 1500)}\n--- log panel ---\n${await this.logTail()}`);
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
  // an installation update, and the bot may answer it with a welcome card and the messages that waited.
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
    await this.compose.click({ timeout: this.opts.timeout });
    await this.page.keyboard.type(text);
    await this.page.keyboard.press("Enter");
    // The compose box empties once the Playground has taken the message.
    await this.page.waitForFunction(() => {
      const el = document.querySelector('div[role="textbox"][contenteditable="true"]');
      return el && el.innerText.trim() === "";
    }, null, { timeout: this.opts.timeout }).catch(() => this.fail(`the compose box did not send "${text}"`));
  }

  // command types `text` and waits for a new card matching every pattern.
  async command(text, patterns, what) {
    const from = await this.cards.count();
    await this.type(text);
    return this.waitForCard(from, patterns, what);
  }

  // pinFinnish types "suomi", which stores Finnish as the person's language: cards they then open or tap come in
  // Finnish although the Playground sends locale en-US.
  async pinFinnish() {
    const before = await this.countText(T.languageChanged);
    await this.type("suomi");
    await this.waitForText(T.languageChanged, before);
  }

  // tap clicks the button titled `title` on card `index` (or inside the locator `within`).
  async tap(index, title, within) {
    const scope = within || this.cards.nth(index);
    const button = scope.getByRole("button", { name: title, exact: true });
    if ((await button.count()) === 0) {
      this.fail(`card has no button "${title}"`, (await this.cardText(index)).slice(0, 1500));
    }
    await button.first().click({ timeout: this.opts.timeout });
  }

  // listRow is the row of a list card (hyväksyttävät, tehtävät) that names `ref` and has an "Avaa" button.
  async listRow(index, ref) {
    const row = this.cards.nth(index).locator(".ac-container")
      .filter({ hasText: ref })
      .filter({ has: this.page.getByRole("button", { name: T.listOpen, exact: true }) })
      .last();
    if ((await row.count()) === 0) this.fail(`the list has no row for ${ref} with "${T.listOpen}"`, await this.cardText(index));
    return row;
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

  // opensUrl reports whether card `index` has a button showing `text` that opens `url` (an Action.OpenUrl, which
  // the Playground renders with the address as its title).
  async opensUrl(index, text, url) {
    const found = await this.cards.nth(index).locator("button").evaluateAll((bs) => bs.map((b) => [b.innerText.trim(), b.title]));
    return found.some(([t, u]) => t === text && u === url);
  }

  // inputs counts the input fields (text, date, toggles, dropdowns) on card `index`.
  async inputs(index) {
    return this.cards.nth(index).locator("input, textarea, select, [role=combobox]").count();
  }

  // toggles lists the Input.Toggle check boxes of card `index`: their label and whether they are on.
  async toggles(index) {
    return this.cards.nth(index).locator('input[type="checkbox"]').evaluateAll((xs) =>
      xs.map((x) => ({ label: x.getAttribute("aria-label") || x.title || x.id, on: x.checked })));
  }

  // facts reads the FactSets of card `index` as title → value (the first row with that title wins).
  async facts(index) {
    const m = new Map();
    for (const [k, v] of await this.factRows(index)) if (!m.has(k)) m.set(k, v);
    return m;
  }

  // numberedSteps reads the numbered steps of card `index` ("4. Tarkista …" in a TextBlock), which the Playground
  // renders as markdown ordered lists (<ol start="4">): step number → text.
  async numberedSteps(index) {
    const rows = await this.cards.nth(index).evaluate((card) => {
      const out = [];
      for (const ol of card.querySelectorAll("ol")) {
        [...ol.querySelectorAll(":scope > li")].forEach((li, i) => out.push([ol.start + i, li.innerText.trim()]));
      }
      return out;
    });
    return new Map(rows);
  }

  // factRows reads the FactSets of card `index` as [title, value] rows, in order.
  async factRows(index) {
    return this.cards.nth(index).evaluate((card) => {
      const out = [];
      for (const t of card.querySelectorAll(".ac-fact-title")) {
        const row = t.closest("tr");
        const v = row ? row.querySelector(".ac-fact-value") : t.nextElementSibling;
        out.push([t.innerText.trim().replace(/:$/, ""), v ? v.innerText.trim() : ""]);
      }
      return out;
    });
  }

  // dateInputs reads the values of the card's Input.Date fields as ISO dates. The Playground renders them as Fluent
  // UI date pickers (a text combobox showing e.g. "25. marraskuuta 2029"); a plain <input type="date"> counts too.
  async dateInputs(index) {
    const date = this.cards.nth(index).locator('input[type="date"], input[role="combobox"][aria-haspopup="dialog"]');
    const shown = (await date.evaluateAll((xs) => xs.map((x) => x.value))).map((v) => v.trim());
    return shown.map((v) => ({ shown: v, iso: isoDate(v) }));
  }

  // setDate types the date `iso` into an Input.Date as a person would. The Playground draws it as a Fluent UI date
  // picker that reads typed text with the browser's Date.parse (so month/day/year) when it loses focus; it must then
  // show that date.
  async setDate(input, iso) {
    const [y, m, d] = iso.split("-").map(Number);
    await input.fill(`${m}/${d}/${y}`, { timeout: this.opts.timeout });
    await input.press("Tab");
    const shown = (await input.inputValue()).trim();
    if (isoDate(shown) !== iso) this.fail(`the date picker shows "${shown}" after typing ${fiDate(iso)}`);
  }

  // cardsMatching lists the cards from index `from` on that match every pattern: [{index, text}], oldest first.
  async cardsMatching(from, patterns) {
    const out = [];
    const n = await this.cards.count();
    for (let i = from; i < n; i++) {
      const text = await this.cardText(i);
      if (patterns.every((p) => p.test(text))) out.push({ index: i, text });
    }
    return out;
  }

  // firstLines lists the first line of every card on the page (what arrived), for messages and the log.
  async firstLines() {
    const n = await this.cards.count();
    const out = [];
    for (let i = 0; i < n; i++) out.push(`${i}: ${(await this.cardText(i)).split("\n")[0]}`);
    return out;
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

  // open loads the Playground, checks that it runs as `person`, and waits until the first burst of messages (the
  // welcome card, messages that waited in the outbox) has settled.
  async open(person) {
    const opts = this.opts;
    await this.begin(`open the Playground as ${person.name}`);
    let config;
    try {
      const res = await fetch(`${opts.url}/_internal/v1/config`, { signal: AbortSignal.timeout(opts.timeout) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      config = await res.json();
    } catch (e) {
      this.fail(`cannot read the Playground's configuration at ${opts.url} (${e.message}): is it running? ` +
        `node tools/playground/start.mjs --no-browser${person === PEOPLE.elina ? "" : ` --user ${person.name.split(" ")[0].toLowerCase()}`}`);
    }
    const current = config?.config?.currentUser?.name || "(nobody it names)";
    if (current !== person.name) {
      this.fail(`the Playground at ${opts.url} runs as ${current}, not ${person.name}: restart it with ` +
        `node tools/playground/start.mjs --no-browser --user ${person.name.split(" ")[0].toLowerCase()}`);
    }
    await this.page.goto(opts.url, { waitUntil: "domcontentloaded", timeout: opts.timeout }).catch((e) =>
      this.fail(`cannot open ${opts.url} (${e.message.split("\n")[0]}): is the Playground running?`));
    await this.compose.waitFor({ timeout: opts.timeout })
      .catch(() => this.fail(`no compose box at ${opts.url}: is the Playground running?`));
    await this.settle();
  }
}
// runEmployee is the employee's part (steps 1-7); it returns the request reference and what it saw.
async function runEmployee(w, opts) {
  const report = {};

  await w.open(PEOPLE.elina);

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
    if (opts.until) {
      // --alerts picks the end date, so that the 60-day expiry notice falls on a working day.
      await w.setDate(date.first(), opts.until);
      report.validUntil = (await date.first().inputValue()).trim();
      console.log(`    end date chosen: ${report.validUntil}`);
    }
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

// loadRoles reads the roles and tasks of the embedded catalog (internal/catalog/data): role's Finnish name → the
// Finnish names of its tasks, and every task's Finnish name, so the steps can tell which tasks a recommendation was
// made from.
function loadRoles() {
  const read = (f) => parseYaml(readFileSync(join(CATALOG_DIR, f), "utf8"));
  const taskName = new Map(read("tasks.yaml").tasks.map((t) => [t.id, t.name.fi]));
  const roles = new Map(read("roles.yaml").roles.map((r) => [r.name.fi, r.tasks.map((id) => taskName.get(id))]));
  return { roles, allTasks: [...taskName.values()] };
}

// loadOrg reads the assignor of the embedded catalog (internal/catalog/data/organisation.yaml): its Finnish name, its
// Y-tunnus and whether an approved request may switch to the direct grant.
function loadOrg() {
  const org = parseYaml(readFileSync(join(CATALOG_DIR, "organisation.yaml"), "utf8"));
  return { name: org.name.fi, businessId: String(org.business_id), directFallback: org.grant?.direct_fallback === true };
}

// runNewcomer is the scenario "new employee" (steps N1-N7): Oskar Berg picks his role in the intake card's
// dropdown and taps the main button straight away, gets the recommendation for the role's tasks and files the
// request.
async function runNewcomer(w, opts) {
  const report = {};
  const catalog = loadRoles();
  await w.open(PEOPLE.oskar);

  await w.begin("N1. hei → the welcome card; suomi → Finnish stored");
  let from = await w.cards.count();
  await w.type("hei");
  await w.waitForCard(from, [T.welcomeAny], "the welcome card");
  await w.pinFinnish();

  await w.begin("N2. Mitä valtuuksia tarvitsen? → the intake card, role first, every task area folded");
  let c = await w.command("Mitä valtuuksia tarvitsen?", [T.intakeTitle, T.intakeRoles], "the intake card");
  const intake = c.index;
  const card = w.cards.nth(intake);
  const checkboxes = () => card.locator('input[type="checkbox"]:visible').count();
  if ((await checkboxes()) !== 0) w.fail(`${await checkboxes()} task(s) show on a new intake card; every area should be folded`, c.text.slice(0, 1500));
  // The dropdown's label, then the button (the hint above them names the button too), then the areas.
  const roleAt = c.text.indexOf("\nRooli\n"), submitAt = c.text.indexOf(T.intakeSubmit, roleAt), areasAt = c.text.indexOf("▸ ");
  if (roleAt < 0 || submitAt < 0 || areasAt < 0 || submitAt > areasAt) {
    w.fail('the card should show the role dropdown, then "Näytä tarvitsemani valtuudet", then the folded areas', c.text.slice(0, 1500));
  }
  const areas = (c.text.match(/^▸ .+$/gm) || []).map((l) => l.slice(2).trim());
  console.log(`    folded areas: ${areas.join(" | ")}`);
  await w.screenshot(intake, "newcomer-01-intake");

  const area = "Avustukset ja rahoitus";
  await w.begin(`N3. tap ▸ ${area} → its tasks with everyday examples; tap ▾ → folded again`);
  if (!areas.includes(area)) w.fail(`no folded area "${area}"`, areas.join("\n"));
  await card.getByRole("button", { name: T.areaToggle(area), exact: true }).click({ timeout: opts.timeout });
  const shown = await checkboxes();
  const text = await w.cardText(intake);
  const examples = text.split(T.example).length - 1;
  if (shown === 0 || examples < shown || !text.includes(`▾ ${area}`)) {
    w.fail(`opening "${area}" should show its tasks, each with "${T.example.trim()} …" (tasks ${shown}, examples ${examples})`, text.slice(0, 2500));
  }
  console.log(`    ${shown} task(s), each with an example`);
  await w.screenshot(intake, "newcomer-02-area-open");
  await card.getByRole("button", { name: T.areaToggle(area), exact: true }).click({ timeout: opts.timeout });
  if ((await checkboxes()) !== 0) w.fail(`"${area}" did not fold again`, (await w.cardText(intake)).slice(0, 1500));

  const roles = await w.roleOptions(intake);
  if (!roles.includes(opts.role)) w.fail(`no role "${opts.role}" in the intake card's dropdown`, roles.join(" | "));
  const order = [opts.role, ...roles.filter((r) => r !== opts.role)];
  let rec = null;
  let accepted = null;
  for (const [n, role] of order.entries()) {
    const mine = catalog.roles.get(role);
    if (!mine) w.fail(`the catalog has no role named "${role}"`);
    await w.begin(`N4. choose role ${role} in the dropdown, ${n === 0 ? "tick nothing" : "leave the ticks of the role before alone"}`);
    await w.chooseRole(intake, role);
    if (n === 0) {
      if ((await card.locator('input[type="checkbox"]:checked').count()) !== 0) w.fail("tasks are ticked although only a role was chosen");
      await w.screenshot(intake, "newcomer-03-role-chosen");
    }

    await w.begin(`N5. ${T.intakeSubmit} at once → the recommendation for the tasks of ${role}`);
    await w.tap(intake, T.intakeSubmit);
    c = await w.waitForCard(intake, [T.recTitle], "the recommendation card", {
      pattern: /Valitse rooli tai vähintään yksi tehtävä|Valitse vähintään yksi tehtävä/,
      message: "the bot asked for a task although a role was chosen",
    });
    const named = catalog.allTasks.filter((t) => c.text.includes(t));
    const others = named.filter((t) => !mine.includes(t));
    if (others.length) w.fail(`the recommendation for ${role} names tasks the role does not have: ${others.join("; ")}`, c.text.slice(0, 2000));
    report.role = role;
    report.themes = (c.text.match(/Tehtäviisi tarvittavia valtuusasioita: (\d+)\. Uusia pyydettäviä: (\d+)\./) || [])
      .slice(1).join(" needed, ") + " new";
    console.log(`    ${report.themes}; why: ${named.join("; ") || "(all already held or requested)"}`);
    if (!T.recNothingLeft.test(c.text)) {
      if (!T.recWhy.test(c.text) || named.length === 0) w.fail(`the recommendation does not say which of ${role}'s tasks need it`, c.text.slice(0, 2000));
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
    // Back to the intake: it opens with this role's tasks ticked; the next role must win over those ticks.
    await w.begin(`N5b. ${T.recChange} → the intake again, to try the next role`);
    await w.tap(intake, T.recChange);
    await w.waitForCard(intake, [T.intakeTitle, T.intakeRoles], "the intake card again");
  }

  let reference;
  if (rec) {
    await w.screenshot(rec.index, "newcomer-04-recommendation");
    await w.begin("N6. justification + default end date, Lähetä pyyntö → the request status card");
    const recCard = w.cards.nth(rec.index);
    const area2 = recCard.locator("textarea");
    const field = (await area2.count()) > 0 ? area2.first() : recCard.locator('input[type="text"]').first();
    await field.fill(justification(report.role), { timeout: opts.timeout });
    const date = recCard.locator('input[type="date"], input[role="combobox"][aria-haspopup="dialog"]');
    if ((await date.count()) === 0) w.fail("the recommendation card has no end date input", rec.text.slice(0, 1500));
    report.validUntil = (await date.first().inputValue()).trim();
    if (!/\d{4}/.test(report.validUntil)) w.fail(`the end date has no default (value "${report.validUntil}")`);
    await w.tap(rec.index, T.recSubmit);
    c = await w.waitForCard(rec.index, [T.statusTitle], "the request status card (Pyyntösi VB-…)");
    if (!T.statusPending.test(c.text)) w.fail('the request is not "Odottaa hyväksyntää"', c.text.slice(0, 1500));
    reference = c.text.match(T.statusTitle)[1];
    console.log(`    request ${reference}, until ${report.validUntil}`);
    await w.screenshot(c.index, "newcomer-05-request-status");
  } else {
    await w.screenshot(accepted.card.index, "newcomer-05-already-requested");
    reference = accepted.reference;
    console.log(`    every role is already requested: accepting ${reference} instead of a new request`);
  }
  report.reference = reference;

  await w.begin("N7. omat valtuudet → the request is listed");
  c = await w.command("omat valtuudet", [T.mineTitle, T.mineOpen], '"Omat valtuuteni" with open requests');
  if (!c.text.includes(reference)) w.fail(`"Omat valtuuteni" does not list ${reference}`, c.text.slice(0, 1500));
  await w.screenshot(c.index, "newcomer-06-my-mandates");
  return report;
}

// langOf tells which of the three languages a card that arrived on its own is in, from its title.
function langOf(text) {
  if (/pyytää|Myönnä valtuudet/.test(text)) return "fi";
  if (/begär|Ge fullmakter/.test(text)) return "sv";
  return "en";
}

const LANG_NAMES = { fi: "Finnish", sv: "Swedish", en: "English" };

// arrived waits for the card a person's chat should receive when it opens (the approval card, the grant task),
// matching every pattern. When it does not come the part goes on from the list, with a note: the Playground forgets
// its chat on reload, and a message the bot sent while it showed someone else is lost (see the README).
async function arrived(w, patterns, what) {
  const c = await w.findCard(0, patterns, w.opts.timeout);
  if (c.index < 0) {
    console.log(`    NOTE: ${what} did not arrive within ${w.opts.timeout} ms. It arrives only on the first visit after it ` +
      "was sent to someone the bot had not heard from; opening it from the list instead.");
    return null;
  }
  return c;
}

// listedReference is the request the part handles, read from a list card when no reference is known yet; the list
// must name it.
function listedReference(w, report, c) {
  if (!report.reference) {
    const m = c.text.match(/(VB-\d{4}-\d{4,}) · /);
    if (!m) w.fail("the list names no request", c.text.slice(0, 1500));
    report.reference = m[1];
  }
  if (!c.text.includes(report.reference)) w.fail(`the list does not name ${report.reference}`, c.text.slice(0, 1500));
  return report.reference;
}

// awaitDelivered opens the person's chat and waits for the card that should have waited for them (step names the
// step); it returns the part's report (with the request reference, from the chain, --ref or the card), a pattern
// for that reference, the card that arrived (or null) and the card's language.
async function awaitDelivered(w, opts, chain, person, step, titleRe, what) {
  const report = { reference: chain.reference || opts.ref || "" };
  await w.open(person);
  const refRe = report.reference ? new RegExp(escapeRe(report.reference)) : /VB-\d{4}-\d{4,}/;
  await w.begin(step);
  const delivered = await arrived(w, [titleRe, refRe], `${what}${report.reference ? ` of ${report.reference}` : ""}`);
  report.delivered = Boolean(delivered);
  let lang = "";
  if (delivered) {
    report.reference ||= delivered.text.match(/VB-\d{4}-\d{4,}/)[0];
    lang = langOf(delivered.text);
    report.deliveredIn = LANG_NAMES[lang];
  }
  return { report, refRe, delivered, lang };
}

// runSupervisor is the supervisor's part (step 8): decide the request, approving every theme.
async function runSupervisor(w, opts, chain = {}) {
  const { report, refRe, delivered, lang } = await awaitDelivered(w, opts, chain, PEOPLE.sami,
    "8. the approval card that waited arrives in Sami's chat", T.approvalTitleAny, "the approval card");
  if (delivered) {
    const buttons = await w.buttons(delivered.index);
    if (buttons.length !== 1 || buttons[0] !== T.approvalOpen[lang]) {
      w.fail(`the approval card that arrived should be the base view with only "${T.approvalOpen[lang]}"; ` +
        `its buttons are ${JSON.stringify(buttons)}`, delivered.text.slice(0, 1500));
    }
    if ((await w.inputs(delivered.index)) > 0) w.fail("the base view of the approval card has inputs", delivered.text.slice(0, 1500));
    console.log(`    ${report.reference} arrived, base view, in ${LANG_NAMES[lang]}` +
      (lang === "en" ? " (Sami has chosen no language yet and the Playground sends locale en-US)" : ""));
    await w.screenshot(delivered.index, "08-approval-card");
  }

  await w.begin('8b. "suomi" → the language choice is stored');
  await w.pinFinnish();

  await w.begin("8c. hyväksyttävät → the list of requests waiting for Sami's decision");
  let c = await w.command("hyväksyttävät", [T.pendingTitle], '"Päätöstäsi odottavat pyynnöt"');
  if (T.pendingEmpty.test(c.text)) {
    w.fail("nothing waits for Sami's decision: run the employee's part (--as elina) first", c.text);
  }
  const ref = listedReference(w, report, c);
  const list = c.index;
  await w.screenshot(list, "08-approval-list");

  await w.begin(`8d. ${delivered ? `"${T.approvalOpen[lang]}" on the card that arrived` : `"${T.listOpen}" in the list`} → the decision view`);
  let card;
  if (delivered) {
    card = delivered.index;
    await w.tap(card, T.approvalOpen[lang]);
  } else {
    card = list;
    await w.tap(list, T.listOpen, await w.listRow(list, ref));
  }
  c = await w.waitForCard(card, [T.approvalWaiting(ref), T.approvalDecision], `the decision view of ${ref} in Finnish`);
  const toggles = await w.toggles(c.index);
  if (toggles.length === 0) w.fail("the decision view has no toggle per theme", c.text.slice(0, 1500));
  const off = toggles.filter((t) => !t.on);
  if (off.length) w.fail(`every theme should start approved; off: ${off.map((t) => t.label).join("; ")}`);
  report.themes = toggles.map((t) => t.label);
  const facts = await w.facts(c.index);
  report.requestedUntil = facts.get("Voimassa asti (pyydetty)") || "";
  if (!isoDate(report.requestedUntil)) w.fail(`no requested end date ("Voimassa asti (pyydetty)": "${report.requestedUntil}")`);
  if (facts.get("Hyväksyjä") !== PEOPLE.sami.name) w.fail(`the approver is "${facts.get("Hyväksyjä")}", not ${PEOPLE.sami.name}`);
  const buttons = await w.buttons(c.index);
  for (const b of [T.approveAll, "Hyväksy valitut, hylkää muut", "Hylkää kaikki"]) {
    if (!buttons.includes(b)) w.fail(`the decision view has no "${b}" (buttons: ${JSON.stringify(buttons)})`);
  }
  console.log(`    ${report.themes.length} theme(s), requested until ${report.requestedUntil}: ${report.themes.join("; ")}`);
  await w.screenshot(c.index, "08-approval-decision");

  await w.begin(`8e. ${T.approveAll} → the card turns final`);
  await w.tap(c.index, T.approveAll);
  c = await w.waitForCard(card, [T.approvalFinal(ref)], `"Pyyntö ${ref} on hyväksytty"`);
  const left = await w.buttons(c.index);
  if (left.length) w.fail(`the final card still has buttons: ${JSON.stringify(left)}`, c.text.slice(0, 1500));
  if ((await w.inputs(c.index)) > 0) w.fail("the final card still has inputs", c.text.slice(0, 1500));
  const final = await w.facts(c.index);
  if (final.get("Päättäjä") !== PEOPLE.sami.name) {
    w.fail(`the final card should name the decider "${PEOPLE.sami.name}" (Päättäjä: "${final.get("Päättäjä") || ""}")`, c.text.slice(0, 1500));
  }
  if (!isoDate(final.get("Päätöspäivä") || "")) w.fail(`the final card has no decision date (Päätöspäivä: "${final.get("Päätöspäivä") || ""}")`, c.text.slice(0, 1500));
  const approved = c.text.split(T.itemApproved).length - 1;
  if (approved !== report.themes.length) {
    w.fail(`${report.themes.length} theme(s) should be "${T.itemApproved}", ${approved} are`, c.text.slice(0, 1500));
  }
  console.log(`    approved by ${final.get("Päättäjä")} on ${final.get("Päätöspäivä")}; no buttons left`);
  await w.screenshot(c.index, "08-approval-final");

  await w.begin("8f. hyväksyttävät → the request is no longer waiting");
  c = await w.command("hyväksyttävät", [T.pendingTitle], '"Päätöstäsi odottavat pyynnöt"');
  if (c.text.includes(ref)) w.fail(`the list still names ${ref} after the decision`, c.text.slice(0, 1500));
  return report;
}

// runEmployeeSteps is the employee's part after the approval (steps S1-S3), on the valtuuspyyntö path: the decision
// notice and the card "Pyydä valtuudet Suomi.fi:ssä (VB-…)" that waited arrive when her chat opens; the steps name
// the city, its Y-tunnus, the approved themes and the approved end date; she taps "Lähetin pyynnön" and the card says
// she sent it. Only then do the main users get the task of accepting her request.
async function runEmployeeSteps(w, opts, chain = {}) {
  const report = { reference: chain.reference || opts.ref || "" };
  const org = loadOrg();
  await w.open(PEOPLE.elina);
  const arrivedCards = await w.cards.count();
  const firstLines = async () => (await Promise.all([...Array(arrivedCards).keys()].map(async (i) =>
    (await w.cardText(i)).split("\n")[0]))).join("\n") || "(none)";

  await w.begin("S1. the decision notice that waited arrives in Elina's chat");
  const refPat = report.reference ? escapeRe(report.reference) : "VB-\\d{4}-\\d{4,}";
  let c = await w.findCard(0, [new RegExp(`Pyyntösi ${refPat} hyväksyttiin`)], opts.timeout);
  if (c.index < 0) {
    w.fail(`the decision notice "Pyyntösi ${report.reference || "VB-…"} hyväksyttiin" did not arrive in Finnish. It waits ` +
      "in the bot's outbox from the supervisor's decision until Elina's chat opens, once: play this part right after " +
      "--as sami (Elina chose Finnish in her first part)", `${arrivedCards} card(s) arrived:\n${await firstLines()}`);
  }
  report.reference ||= c.text.match(/Pyyntösi (VB-\d{4}-\d{4,}) hyväksyttiin/)[1];
  const ref = report.reference;
  if (!c.text.includes(T.decisionNextRequest)) {
    w.fail(`the decision notice should say what comes next: "${T.decisionNextRequest}"`, c.text.slice(0, 1500));
  }
  console.log(`    "Pyyntösi ${ref} hyväksyttiin" arrived; next: the valtuuspyyntö steps`);
  await w.screenshot(c.index, "steps-01-decision-notice");

  await w.begin(`S2. the card "Pyydä valtuudet Suomi.fi:ssä (${ref})" names the city, its Y-tunnus and the themes`);
  c = await w.findCard(0, [T.stepsNotice(ref)], opts.timeout);
  if (c.index < 0) {
    w.fail(`the card "Pyydä valtuudet Suomi.fi:ssä (${ref})" did not arrive with the decision notice`,
      `${arrivedCards} card(s) arrived:\n${await firstLines()}`);
  }
  const card = c.index;
  if (T.stepsDirect.test(c.text)) {
    w.fail(`${ref} takes the direct grant, not the valtuuspyyntö: someone tapped "${T.stepsCannot}" or ` +
      `"${T.grantDirectButton}" (use a fresh database)`, c.text.slice(0, 1500));
  }
  if (T.stepsSentDone.test(c.text)) w.fail(`the card says the request was sent already; ${ref} was filed in an earlier run`, c.text.slice(0, 1500));
  if (!T.stepsIntro.test(c.text)) w.fail('the card does not start with "Pyyntösi on hyväksytty. Nopein tapa edetä: …"', c.text.slice(0, 1500));
  const steps = await w.numberedSteps(card);
  const shown = [...steps].map(([n, t]) => `${n}. ${t}`).join("\n");
  if ([1, 2, 3, 4, 5, 6, 7].some((n) => !steps.has(n))) w.fail("the card should number the steps 1 to 7", shown || c.text.slice(0, 3000));
  const s4 = steps.get(4);
  if (!s4.startsWith("Osapuolet: lisää valtuuttajaksi") || !s4.includes(org.name) || !s4.includes(org.businessId)) {
    w.fail(`step 4 should add ${org.name} with its Y-tunnus ${org.businessId} as the assignor`, shown);
  }
  // Step 5 asks for the themes, which follow it (each by the name Suomi.fi shows, in bold, then its type) up to step 6.
  const lines = c.text.split("\n").map((l) => l.trim()).filter(Boolean);
  const [s5, s6] = [lines.indexOf(steps.get(5)), lines.indexOf(steps.get(6))];
  if (s5 < 0 || s6 < s5 + 2) w.fail("step 5 lists no themes before step 6", c.text.slice(0, 3000));
  const themeLines = lines.slice(s5 + 1, s6);
  for (const th of chain.themes || []) {
    if (!themeLines.includes(th)) w.fail(`step 5 does not list the approved theme "${th}"`, themeLines.join("\n"));
  }
  if (chain.requestedUntil && !steps.get(6).includes(`päättymispäiväksi ${fiDate(isoDate(chain.requestedUntil))}`)) {
    w.fail(`step 6 should give the approved end date ${fiDate(isoDate(chain.requestedUntil))}`, steps.get(6));
  }
  if (!(await w.opensUrl(card, T.stepsOpen, SUOMI_FI_URL))) w.fail(`step 1 has no "${T.stepsOpen}" button opening ${SUOMI_FI_URL}`);
  const buttons = await w.buttons(card);
  const want = [T.stepsSent, ...(org.directFallback ? [T.stepsCannot] : [])];
  for (const b of want) if (!buttons.includes(b)) w.fail(`the card has no "${b}" (buttons: ${JSON.stringify(buttons)})`, c.text.slice(0, 1500));
  report.themes = chain.themes || [];
  console.log(`    step 4: ${s4}`);
  console.log(`    step 5: ${themeLines.length} line(s) of themes${report.themes.length ? `, every approved theme among them (${report.themes.length})` : ""}`);
  console.log(`    step 6: ${steps.get(6)}`);
  await w.screenshot(card, "steps-02-steps-card");

  await w.begin(`S3. "${T.stepsSent}" → the card says she sent the request`);
  await w.tap(card, T.stepsSent);
  c = await w.waitForCard(card, [T.stepsNotice(ref), T.stepsSentDone], `"Kerroit lähettäneesi valtuuspyynnön …" on ${ref}`);
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Helsinki" }).format(new Date());
  const said = c.text.match(T.stepsSentDone)[1];
  if (isoDate(said) !== today) w.fail(`the card says she sent it on ${said}, not today (${fiDate(today)})`, c.text.slice(0, 1500));
  const left = await w.buttons(c.index);
  if (left.includes(T.stepsSent) || left.includes(T.stepsCannot)) {
    w.fail(`the card still offers "${T.stepsSent}" or "${T.stepsCannot}": ${JSON.stringify(left)}`, c.text.slice(0, 1500));
  }
  report.filedOn = today;
  console.log(`    "${c.text.match(T.stepsSentDone)[0]} …"; buttons left: ${JSON.stringify(left)}`);
  await w.screenshot(c.index, "steps-03-sent");
  return report;
}

// runMainUser is the main user's part (step 9): grant every approved theme with the default dates.
async function runMainUser(w, opts, chain = {}) {
  const { report, refRe, delivered, lang } = await awaitDelivered(w, opts, chain, PEOPLE.mikael,
    "9. the grant task that waited arrives in Mikael's chat", T.grantTitleAny, "the grant task");
  if (delivered) {
    const buttons = await w.buttons(delivered.index);
    if (buttons.length < 2) w.fail(`the grant task that arrived has no confirm buttons: ${JSON.stringify(buttons)}`, delivered.text.slice(0, 1500));
    console.log(`    ${report.reference} arrived in ${LANG_NAMES[lang]}` +
      (lang === "en" ? " (Mikael has chosen no language yet and the Playground sends locale en-US)" : ""));
  }

  await w.begin('9b. "suomi" → the language choice is stored');
  await w.pinFinnish();

  await w.begin("9c. tehtävät → the open grant tasks");
  let c = await w.command("tehtävät", [T.grantsTitle], '"Avoimet myöntötehtävät"');
  if (T.grantsEmpty.test(c.text)) w.fail("no open grant task: run the supervisor's part (--as sami) first", c.text);
  const ref = listedReference(w, report, c);
  const row = await w.listRow(c.index, ref);
  const rowText = await row.innerText();
  if (!/myöntämättä/.test(rowText) || !/hyväksytty /.test(rowText)) {
    w.fail(`the row of ${ref} should say how many themes wait and when it was approved`, rowText);
  }
  console.log(`    ${rowText.replace(/\s*\n+\s*/g, " | ")}`);
  const list = c.index;
  await w.screenshot(list, "09-grant-list");

  await w.begin("9d. yleiskuva → the overview counts the approved themes");
  c = await w.command("yleiskuva", [T.overviewTitle], '"Valtuuksien tilanne"');
  const before = await w.facts(c.index);
  const num = (facts, key) => {
    const v = facts.get(key);
    if (v === undefined || !/^\d+$/.test(v)) w.fail(`the overview has no number for "${key}" (got "${v}")`, [...facts].join("\n"));
    return Number(v);
  };
  report.activeBefore = num(before, "Voimassa");
  const waiting = num(before, "Hyväksyttyjä valtuusasioita myöntämättä");
  const approvedRequests = num(before, "Hyväksytty, myöntäminen kesken");
  if (waiting < 1 || approvedRequests < 1) {
    w.fail(`the overview should count ${ref} as approved and not granted (themes ${waiting}, requests ${approvedRequests})`, c.text.slice(0, 1500));
  }
  console.log(`    in force ${report.activeBefore}; approved themes not granted ${waiting}; approved requests ${approvedRequests}`);
  await w.screenshot(c.index, "09-overview");

  await w.begin(`9e. "${T.listOpen}" in the list → the grant task in Finnish, with the valtuuspyyntö steps`);
  await w.tap(list, T.listOpen, await w.listRow(list, ref));
  c = await w.waitForCard(list, [T.grantTitle, T.grantAccept, new RegExp(escapeRe(ref))],
    `the grant task of ${ref} in Finnish with "Näin vahvistat valtuuspyynnön Suomi.fi:ssä"`, {
      pattern: T.grantDirectSteps,
      message: `the grant task shows the direct grant ("Näin myönnät valtuuden Suomi.fi:ssä"), not the valtuuspyyntö: ` +
        `someone switched ${ref} to the direct grant`,
    });
  const task = c.index;
  if (T.grantUnfiled.test(c.text)) {
    w.fail(`the grant task says ${PEOPLE.elina.name} has not sent the valtuuspyyntö yet: play her part after the ` +
      "approval first (--as elina --steps, which taps \"Lähetin pyynnön\")", c.text.slice(0, 3000));
  }
  const org = loadOrg();
  if (!c.text.includes(T.grantPathRequest)) w.fail(`the grant task does not say "${T.grantPathRequest}"`, c.text.slice(0, 3000));
  if ((await w.buttons(task)).includes(T.stepsShow)) {
    // A main user who has recorded grants before gets the steps folded behind "Näytä vaiheet" (the Playground leaves
    // hidden elements out of the page): unfold them, as he would.
    console.log(`    the steps are folded (Mikael has recorded a grant before): tapping "${T.stepsShow}"`);
    await w.tap(task, T.stepsShow);
    await w.page.waitForFunction((i) => document.querySelectorAll(".ac-adaptiveCard")[i]?.querySelector("ol"), task,
      { timeout: opts.timeout, polling: 250 }).catch(() => w.fail(`"${T.stepsShow}" did not unfold the steps`));
  }
  const acceptSteps = await w.numberedSteps(task);
  const stepsShown = [...acceptSteps].map(([k, t]) => `${k}. ${t}`).join("\n");
  if ([1, 2, 3, 4, 5].some((k) => !acceptSteps.has(k))) w.fail("the grant task should number its steps 1 to 5", stepsShown || c.text.slice(0, 3000));
  if (acceptSteps.get(2) !== T.grantAcceptOrg(org.name, org.businessId)) {
    w.fail(`step 2 should be "${T.grantAcceptOrg(org.name, org.businessId)}"`, stepsShown);
  }
  if (!acceptSteps.get(3).startsWith(T.grantAcceptFrom(PEOPLE.elina.name))) {
    w.fail(`step 3 should be "${T.grantAcceptFrom(PEOPLE.elina.name)} …"`, stepsShown);
  }
  if (!(await w.opensUrl(task, T.stepsOpen, SUOMI_FI_URL))) w.fail(`the steps have no "${T.stepsOpen}" button opening ${SUOMI_FI_URL}`);
  const facts = await w.facts(task);
  if (facts.get("Nimi") !== PEOPLE.elina.name) w.fail(`the grant task is not for ${PEOPLE.elina.name} (Nimi: "${facts.get("Nimi")}")`, [...facts].join("\n"));
  const toggles = await w.toggles(task);
  if (toggles.length === 0) w.fail("the grant task has no theme to tick", c.text.slice(0, 1500));
  const off = toggles.filter((t) => !t.on);
  if (off.length) w.fail(`every covered theme should start ticked; off: ${off.map((t) => t.label).join("; ")}`);
  if (chain.themes && chain.themes.join("|") !== toggles.map((t) => t.label).join("|")) {
    w.fail(`the grant task's themes differ from the approved ones:\n  approved: ${chain.themes.join("; ")}\n  ` +
      `to grant: ${toggles.map((t) => t.label).join("; ")}`);
  }
  report.themes = toggles.map((t) => t.label);
  const period = (acceptSteps.get(4) || "").match(T.grantAcceptPeriod);
  if (!period) w.fail('step 4 is not "Tarkista valtuusasiat ja voimassaolo (<from>–<until>) ja hyväksy pyyntö."', stepsShown);
  const dates = await w.dateInputs(task);
  if (dates.length !== 2) w.fail(`the grant task should have two date inputs, it has ${dates.length}`);
  const [from, until] = dates.map((d) => d.iso);
  if (from !== isoDate(period[1]) || until !== isoDate(period[2])) {
    w.fail(`the default dates ${dates.map((d) => `"${d.shown}"`).join(" – ")} differ from step 4's ${period[1]}–${period[2]}`);
  }
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Helsinki" }).format(new Date());
  if (from !== today) w.fail(`the default start date is ${from}, not today (${today} in Finland)`);
  if (chain.requestedUntil && until !== isoDate(chain.requestedUntil)) {
    w.fail(`the default end date is ${until}, not the requested ${chain.requestedUntil}`);
  }
  const taskButtons = await w.buttons(task);
  for (const b of [T.grantDone, T.grantFailed, ...(org.directFallback ? [T.grantDirectButton] : [])]) {
    if (!taskButtons.includes(b)) w.fail(`the grant task has no "${b}" (buttons: ${JSON.stringify(taskButtons)})`);
  }
  report.from = from;
  report.until = until;
  console.log(`    ${period[0]}`);
  console.log(`    ${report.themes.length} theme(s) ticked; default period ${fiDate(from)}–${fiDate(until)}; buttons ${JSON.stringify(taskButtons)}`);
  await w.screenshot(task, "09-grant-task");

  await w.begin("9f. tulevat muistutukset → the weekly digest and the reminders of this grant task");
  c = await w.command("tulevat muistutukset", [T.upcomingTitle], '"Tulevat muistutukset (30 päivää)"');
  const upcoming = await upcomingRows(w, c);
  if (!upcoming.some((r) => r.what === `${PEOPLE.mikael.name}: ${T.upcomingDigest}`)) {
    w.fail(`the list has no weekly digest "${PEOPLE.mikael.name}: ${T.upcomingDigest}"`, c.text.slice(0, 3000));
  }
  const reminders = upcoming.filter((r) => r.what.includes(T.upcomingGrantReminder(ref)));
  if (reminders.length === 0) {
    w.fail(`the list has no reminder of the grant task "${T.upcomingGrantReminder(ref)}${PEOPLE.elina.name})"`, c.text.slice(0, 3000));
  }
  report.upcoming = upcoming.length;
  console.log(`    ${upcoming.length} alert(s); weekly digest ${upcoming.filter((r) => r.what.endsWith(T.upcomingDigest))
    .map((r) => r.when).join(", ")}; ${reminders.length} reminder(s) of ${ref}, the first ${reminders[0].when}`);
  await w.screenshot(c.index, "09-upcoming");

  await w.begin(`9g. "${T.grantDone}" with the default dates → the task turns final`);
  await w.tap(task, T.grantDone);
  c = await w.waitForCard(task, [T.grantFinal(ref)], `"Myöntötehtävä ${ref} on käsitelty"`);
  const left = await w.buttons(c.index);
  if (left.length) w.fail(`the final card still has buttons: ${JSON.stringify(left)}`, c.text.slice(0, 1500));
  if ((await w.inputs(c.index)) > 0) w.fail("the final card still has inputs", c.text.slice(0, 1500));
  const granted = `Voimassa ${fiDate(from)}–${fiDate(until)} · Käsittelijä: ${PEOPLE.mikael.name}`;
  const n = c.text.split(granted).length - 1;
  if (n !== report.themes.length) {
    w.fail(`${report.themes.length} theme(s) should say "${granted}", ${n} do`, c.text.slice(0, 2000));
  }
  for (const th of report.themes) if (!c.text.includes(th)) w.fail(`the final card does not name "${th}"`, c.text.slice(0, 2000));
  console.log(`    every theme: Myönnetty, ${granted}; no buttons left`);
  await w.screenshot(c.index, "09-grant-final");

  if (delivered) {
    await w.begin("9h. the grant task that arrived turns final too");
    await w.waitForChange(delivered.index, [T.grantFinalAny(ref)], `the final grant task of ${ref}`);
    const still = await w.buttons(delivered.index);
    if (still.length) w.fail(`the copy that arrived still has buttons: ${JSON.stringify(still)}`);
  }

  await w.begin("9i. tehtävät, yleiskuva and tulevat muistutukset after the grant");
  c = await w.command("tehtävät", [T.grantsTitle], '"Avoimet myöntötehtävät"');
  if (c.text.includes(ref)) w.fail(`the list still names ${ref} after the grant`, c.text.slice(0, 1500));
  c = await w.command("yleiskuva", [T.overviewTitle], '"Valtuuksien tilanne"');
  const after = await w.facts(c.index);
  report.activeAfter = num(after, "Voimassa");
  if (report.activeAfter !== report.activeBefore + report.themes.length) {
    w.fail(`mandates in force should go from ${report.activeBefore} to ${report.activeBefore + report.themes.length}, ` +
      `the overview says ${report.activeAfter}`, c.text.slice(0, 1500));
  }
  console.log(`    in force ${report.activeBefore} → ${report.activeAfter}`);
  c = await w.command("tulevat muistutukset", [T.upcomingTitle], '"Tulevat muistutukset (30 päivää)"');
  const later = await upcomingRows(w, c);
  if (!later.some((r) => r.what === `${PEOPLE.mikael.name}: ${T.upcomingDigest}`)) {
    w.fail(`the list has no weekly digest "${PEOPLE.mikael.name}: ${T.upcomingDigest}" after the grant`, c.text.slice(0, 3000));
  }
  if (later.some((r) => r.what.includes(T.upcomingGrantReminder(ref)))) {
    w.fail(`the list still reminds of the grant task ${ref} after the grant`, c.text.slice(0, 3000));
  }
  console.log(`    upcoming alerts ${report.upcoming} → ${later.length}: no reminder of ${ref} left, the weekly digest stays`);
  return report;
}

// upcomingRows reads the rows of the card "Tulevat muistutukset (30 päivää)" (index c.index): when ("7.12.2026
// 08:00", Finnish time) and who: what. Every row must be within the 30 days from today, in time order, and the card
// must have its refresh button.
async function upcomingRows(w, c) {
  const rows = (await w.factRows(c.index)).map(([when, what]) => ({ when, what }));
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Helsinki" }).format(new Date());
  const last = new Date(`${today}T00:00:00Z`);
  last.setUTCDate(last.getUTCDate() + 30);
  const lastIso = last.toISOString().slice(0, 10);
  let prev = "";
  for (const r of rows) {
    const m = r.when.match(/^(\d{1,2}\.\d{1,2}\.\d{4}) (\d{2}:\d{2})$/);
    if (!m) w.fail(`a row's time is not "<date> <hh:mm>": "${r.when}"`, c.text.slice(0, 3000));
    const at = `${isoDate(m[1])} ${m[2]}`;
    if (at.slice(0, 10) < today || at.slice(0, 10) > lastIso) w.fail(`"${r.when}" is not within the 30 days from today`, c.text.slice(0, 3000));
    if (at < prev) w.fail(`the rows are not in time order at "${r.when}"`, c.text.slice(0, 3000));
    prev = at;
  }
  const buttons = await w.buttons(c.index);
  if (!buttons.includes("Päivitä")) w.fail(`the list has no "Päivitä" (buttons: ${JSON.stringify(buttons)})`);
  return rows;
}

// runEmployeeAfter is the employee's last part (step 10): the mandates in force and the notices.
async function runEmployeeAfter(w, opts, chain = {}) {
  const report = { reference: chain.reference || opts.ref || "" };
  await w.open(PEOPLE.elina);
  const arrivedCards = await w.cards.count();

  await w.begin("10. omat valtuudet → the granted themes are in force, with their end date");
  const c = await w.command("omat valtuudet", [T.mineTitle], '"Omat valtuuteni"');
  const lines = c.text.split("\n").map((l) => l.trim()).filter(Boolean);
  const start = lines.indexOf(T.mineActive);
  if (start < 0) w.fail(`"Omat valtuuteni" has no "${T.mineActive}" section`, c.text.slice(0, 1500));
  const stop = lines.findIndex((l, i) => i > start && (l === "Avoimet pyynnöt" || /^Päättyneet /.test(l) || /^Tämä on (kaupungin|organisaation) /.test(l)));
  const active = lines.slice(start + 1, stop < 0 ? undefined : stop);
  if (active.length === 0 || active[0] === "Ei voimassa olevia valtuuksia.") {
    w.fail("no mandate is in force", c.text.slice(0, 1500));
  }
  const want = chain.themes || [];
  const until = chain.until ? `${fiDate(chain.until)} asti` : null;
  for (const th of want) {
    const i = active.indexOf(th);
    if (i < 0) w.fail(`"${th}" is not under "${T.mineActive}"`, active.join("\n"));
    if (until && active[i + 1] !== until) w.fail(`"${th}" should say "${until}", it says "${active[i + 1]}"`, active.join("\n"));
  }
  if (!want.length && !active.some((l) => /^\d{1,2}\.\d{1,2}\.\d{4} asti$/.test(l))) {
    w.fail('no mandate in force shows its end date ("<date> asti")', active.join("\n"));
  }
  const openAt = lines.indexOf("Avoimet pyynnöt");
  if (report.reference && openAt >= 0 && lines.slice(openAt).join("\n").includes(report.reference)) {
    w.fail(`${report.reference} is still listed under "Avoimet pyynnöt"`, c.text.slice(0, 1500));
  }
  report.active = active.filter((l) => !/ asti$/.test(l)).length;
  console.log(`    in force: ${active.join(" | ")}`);
  await w.screenshot(c.index, "10-my-mandates");

  // The decision notice and the Suomi.fi steps came on her visit after the approval (S1-S2); the Playground forgets
  // a chat when its page is reloaded, so only what the grant sent arrives now.
  await w.begin("10b. the granted notice reached Elina's chat");
  const refRe = report.reference ? new RegExp(escapeRe(report.reference)) : /VB-\d{4}-\d{4,}/;
  const n = await w.findCard(0, [T.grantedNotice, refRe], 2000);
  if (n.index < 0) {
    w.fail(`the granted notice "Valtuudet on myönnetty" of ${report.reference || "the request"} did not reach Elina's chat. ` +
      "The bot sends it the moment the main user records the grant, while the Playground shows Mikael's chat: the " +
      "Playground answers 404 ConversationNotFound and the bot's outbox keeps it waiting until Elina's chat opens " +
      "(look for \"outbox message waits for its recipient\" or \"outbox message abandoned\" in the bot's log).",
    `${arrivedCards} card(s) arrived when the chat opened:\n${(await Promise.all(
      [...Array(arrivedCards).keys()].map(async (i) => (await w.cardText(i)).split("\n")[0]))).join("\n") || "(none)"}`);
  }
  const m = chain.mainUser;
  if (m) {
    const period = `Voimassa ${fiDate(m.from)}–${fiDate(m.until)}`;
    for (const th of want) if (!n.text.includes(th)) w.fail(`the granted notice does not name "${th}"`, n.text.slice(0, 2000));
    const k = n.text.split(period).length - 1;
    if (k !== want.length) w.fail(`${want.length} theme(s) should say "${period}", ${k} do`, n.text.slice(0, 2000));
  }
  console.log(`    "${n.text.split("\n")[0]}" arrived${m ? `, every theme ${fiDate(m.from)}–${fiDate(m.until)}` : ""}`);
  await w.screenshot(n.index, "10-granted-notice");
  return report;
}

// ---- the alerts (--alerts) --------------------------------------------------------------------------------------

// parseWhen reads a row time of "Tulevat muistutukset" ("9.12.2026 08:00", Finnish time) as an instant.
function parseWhen(when) {
  const m = when.match(/^(\d{1,2}\.\d{1,2}\.\d{4}) (\d{2}):(\d{2})$/);
  return m ? wt.at(isoDate(m[1]), Number(m[2]) * 60 + Number(m[3])) : null;
}

// runMainUserLook is the main user's first visit in --alerts (step A1, on the real clock): the grant task that waited
// arrives; he chooses Finnish (so the alerts to come are in Finnish) and reads in "tulevat muistutukset" when the
// first reminder of the task and the next weekly digest fall due. He does not grant yet.
async function runMainUserLook(w, opts, chain) {
  const { report, delivered, lang } = await awaitDelivered(w, opts, chain, PEOPLE.mikael,
    "A1. the grant task that waited arrives in Mikael's chat", T.grantTitleAny, "the grant task");
  if (delivered) console.log(`    ${report.reference} arrived in ${LANG_NAMES[lang]}`);
  await w.begin('A1b. "suomi" → the language choice is stored, so the alerts come in Finnish');
  await w.pinFinnish();
  await w.begin("A1c. tulevat muistutukset → when the first reminder of the task and the next weekly digest fall due");
  const c = await w.command("tulevat muistutukset", [T.upcomingTitle], '"Tulevat muistutukset (30 päivää)"');
  const rows = await upcomingRows(w, c);
  const ref = report.reference;
  const reminder = rows.find((r) => r.what.includes(T.upcomingGrantReminder(ref)));
  const digest = rows.find((r) => r.what === `${PEOPLE.mikael.name}: ${T.upcomingDigest}`);
  if (!reminder) w.fail(`no reminder of the grant task "${T.upcomingGrantReminder(ref)}…" is coming`, c.text.slice(0, 3000));
  if (!digest) w.fail(`no weekly digest "${PEOPLE.mikael.name}: ${T.upcomingDigest}" is coming`, c.text.slice(0, 3000));
  report.reminderAt = parseWhen(reminder.when);
  report.digestAt = parseWhen(digest.when);
  console.log(`    first reminder of ${ref}: ${reminder.when}; next weekly digest: ${digest.when}`);
  return report;
}

// runReminder is the main user's visit when the first reminder is due (step A2): the grant task comes again, marked
// "Muistutus: tämä tehtävä on odottanut N työpäivää", N counted as the bot counts it.
async function runReminder(w, opts, chain, plan) {
  const ref = chain.reference;
  await w.open(PEOPLE.mikael);
  await w.begin(`A2. clock ${wt.show(plan.reminder)}: the reminder of ${ref} arrives in Mikael's chat`);
  const c = await w.waitForCard(0, [T.reminderMark, T.grantTitle, new RegExp(escapeRe(ref))],
    `the grant task of ${ref} marked "Muistutus: tämä tehtävä on odottanut … työpäivää"`);
  const days = Number(c.text.match(T.reminderMark)[1]);
  const want = wt.workingDaysBetween(chain.filedAt, plan.reminder);
  if (days !== want) {
    w.fail(`the reminder says the task has waited ${days} working day(s); from ${wt.show(chain.filedAt)} to ` +
      `${wt.show(plan.reminder)} it is ${want}`, c.text.slice(0, 1500));
  }
  const buttons = await w.buttons(c.index);
  for (const b of [T.grantDone, T.grantFailed]) {
    if (!buttons.includes(b)) w.fail(`the reminder has no "${b}" (buttons: ${JSON.stringify(buttons)})`, c.text.slice(0, 1500));
  }
  const facts = await w.facts(c.index);
  if (facts.get("Nimi") !== PEOPLE.elina.name) w.fail(`the reminder is not about ${PEOPLE.elina.name}'s task`, c.text.slice(0, 1500));
  console.log(`    "${c.text.match(T.reminderMark)[0]}" on the grant task of ${PEOPLE.elina.name}; buttons ${JSON.stringify(buttons)}`);
  await w.screenshot(c.index, "alerts-01-reminder");
  await w.settle();
  console.log(`    the chat: ${(await w.firstLines()).join(" | ")}`);
  return { days };
}

// runDigest is the main user's visit on the first working morning of the next week (steps A3-A3b): the weekly
// digest arrives and lists the open task; he opens it from the digest and records the grant with the default dates
// (the clock's today until the end date Elina chose).
async function runDigest(w, opts, chain, plan) {
  const ref = chain.reference;
  await w.open(PEOPLE.mikael);
  await w.begin(`A3. clock ${wt.show(plan.digest)}: the weekly digest "Viikon katsaus: valtuudet" arrives in Mikael's chat`);
  let c = await w.waitForCard(0, [T.digestTitle], '"Viikon katsaus: valtuudet"');
  if (!c.text.includes(T.digestWhy)) w.fail(`the digest does not say why it came ("${T.digestWhy}")`, c.text.slice(0, 2000));
  const open = Number((c.text.match(T.digestGrants) || [])[1]);
  if (!(open >= 1) || !c.text.includes(ref)) {
    w.fail(`the digest should list the open grant task ${ref} under "Avoimet myöntötehtävät"`, c.text.slice(0, 2000));
  }
  const digest = c.index;
  const row = await w.listRow(digest, ref);
  console.log(`    open grant tasks: ${open}; ${(await row.innerText()).replace(/\s*\n+\s*/g, " | ")}`);
  await w.screenshot(digest, "alerts-02-digest");

  await w.begin(`A3b. "${T.listOpen}" on the digest's row → the grant task; "${T.grantDone}" with the default dates`);
  await w.tap(digest, T.listOpen, row);
  const text = await w.waitForChange(digest, [T.grantTitle, new RegExp(escapeRe(ref))], `the grant task of ${ref}`);
  if (!text.includes(T.grantPathRequest)) w.fail(`the grant task does not say "${T.grantPathRequest}"`, text.slice(0, 2000));
  const dates = await w.dateInputs(digest);
  const today = wt.dateOf(plan.digest);
  if (dates.length !== 2 || dates[0].iso !== today || dates[1].iso !== chain.until) {
    w.fail(`the grant task's dates should be ${fiDate(today)} (the clock's today) – ${fiDate(chain.until)} (chosen by ` +
      `${PEOPLE.elina.name}); they are ${dates.map((d) => `"${d.shown}"`).join(" – ")}`);
  }
  const themes = (await w.toggles(digest)).map((t) => t.label);
  await w.tap(digest, T.grantDone);
  const done = await w.waitForChange(digest, [T.grantFinal(ref)], `"Myöntötehtävä ${ref} on käsitelty"`);
  const granted = `Voimassa ${fiDate(today)}–${fiDate(chain.until)} · Käsittelijä: ${PEOPLE.mikael.name}`;
  const n = done.split(granted).length - 1;
  if (n !== themes.length) w.fail(`${themes.length} theme(s) should say "${granted}", ${n} do`, done.slice(0, 2000));
  console.log(`    granted ${themes.length} theme(s): ${granted}`);
  return { open, themes, from: today };
}

// runExpiry is the employee's visit 60 days before her mandates end (steps A4-A5): one expiry notice per mandate,
// each with "Uusi" and "Anna päättyä"; she taps "Anna päättyä" on the first and the card says so.
async function runExpiry(w, opts, chain, plan) {
  const until = fiDate(chain.until);
  const days = 60;
  await w.open(PEOPLE.elina);
  await w.begin(`A4. clock ${wt.show(plan.expiry)}: ${days} days before ${until} the expiry notices arrive in Elina's chat`);
  const want = chain.granted.themes.length;
  const deadline = Date.now() + opts.timeout;
  let notices = [];
  for (;;) {
    notices = await w.cardsMatching(0, [T.expiryTitle(until)]);
    if (notices.length >= want || Date.now() > deadline) break;
    await w.page.waitForTimeout(250);
  }
  if (notices.length !== want) {
    w.fail(`${want} expiry notice(s) "Valtuus päättyy ${until}" should arrive (one per mandate), ${notices.length} did`,
      (await w.firstLines()).join("\n"));
  }
  const themes = [];
  for (const nc of notices) {
    if (!nc.text.includes(T.expiryWhy)) w.fail(`the notice does not say why it came ("${T.expiryWhy}")`, nc.text.slice(0, 1500));
    if (!nc.text.includes(T.expiryLeft(days))) w.fail(`the notice does not say "${T.expiryLeft(days)}"`, nc.text.slice(0, 1500));
    const buttons = await w.buttons(nc.index);
    if (!buttons.includes(T.expiryRenew) || !buttons.includes(T.expiryLapse)) {
      w.fail(`the notice should offer "${T.expiryRenew}" and "${T.expiryLapse}" (buttons: ${JSON.stringify(buttons)})`, nc.text.slice(0, 1500));
    }
    themes.push((await w.facts(nc.index)).get("Valtuusasia") || "?");
  }
  const missing = chain.granted.themes.filter((t) => !themes.includes(t));
  if (missing.length) w.fail(`no expiry notice about ${missing.join("; ")}`, themes.join("\n"));
  const first = notices[0];
  console.log(`    ${notices.length} notice(s), "${T.expiryLeft(days)}", each with "${T.expiryRenew}" and "${T.expiryLapse}": ${themes.join("; ")}`);
  await w.screenshot(first.index, "alerts-03-expiry");

  await w.begin(`A5. "${T.expiryLapse}" on the notice about ${themes[0]} → the card says the mandate is left to lapse`);
  await w.tap(first.index, T.expiryLapse);
  const said = T.lapsing(PEOPLE.elina.name, fiDate(wt.dateOf(plan.expiry)));
  const text = await w.waitForChange(first.index, [new RegExp(escapeRe(said))], `"${said}"`);
  const left = await w.buttons(first.index);
  if (left.includes(T.expiryRenew) || left.includes(T.expiryLapse)) {
    w.fail(`the card still offers "${T.expiryRenew}" or "${T.expiryLapse}": ${JSON.stringify(left)}`, text.slice(0, 1500));
  }
  console.log(`    "${said}"; buttons left: ${JSON.stringify(left)}`);
  await w.screenshot(first.index, "alerts-04-lapsed");
  const granted = await w.findCard(0, [T.grantedNotice, new RegExp(escapeRe(chain.reference))], 1000);
  console.log(`    the granted notice that waited since the grant arrived too: ${granted.index >= 0 ? "yes" : "no"}`);
  return { notices: notices.length, theme: themes[0], lapsedOn: wt.dateOf(plan.expiry) };
}

// ---- running the parts ------------------------------------------------------------------------------------------

// withPage runs one part in a fresh browser context (the Playground page is opened once per part) and saves
// DIR/failure.png when it fails.
async function withPage(browser, opts, fn) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fi-FI" });
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeout);
  const w = new Walkthrough(page, opts);
  try {
    return await fn(w);
  } catch (e) {
    await page.screenshot({ path: join(opts.out, "failure.png") }).catch(() => {});
    e.screenshot = join(opts.out, "failure.png");
    throw e;
  } finally {
    await context.close().catch(() => {});
  }
}

function portOf(u) {
  const x = new URL(u);
  return Number(x.port || (x.protocol === "https:" ? 443 : 80));
}

// listening reports whether something accepts TCP connections on host:port (bounded by one second).
function listening(host, port) {
  return new Promise((done) => {
    const s = connect({ host, port });
    const end = (v) => {
      s.destroy();
      done(v);
    };
    s.setTimeout(1000, () => end(false));
    s.once("connect", () => end(true));
    s.once("error", () => end(false));
  });
}

async function until(what, max, check) {
  const deadline = Date.now() + max;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new StepError(`${what} (waited ${max} ms)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Playground is one run of start.mjs as one person, in its own process group so that stopping it also stops the
// agentsplayground process it starts. Its output goes to DIR/playground-<n>-<person>.log.
class Playground {
  // `url` (default --url) is where it listens; `extra` are more arguments for start.mjs (--handoff: --team ID).
  constructor(opts, user, n, url = opts.url, extra = []) {
    this.opts = opts;
    this.user = user;
    this.person = PEOPLE[user];
    this.url = url;
    this.extra = extra;
    this.port = portOf(url);
    this.host = new URL(url).hostname;
    this.logFile = join(opts.logDir, `playground-${n}-${user}.log`);
    this.child = null;
    this.exited = null;
    this.gone = null;
  }

  // start runs the Playground and waits until it is ready (wait = false: only starts it; see ready).
  async start(wait = true) {
    const { opts, port, url } = this;
    if (await listening(this.host, port)) {
      throw new StepError(`something already listens on port ${port} (${url}). --all, --newcomer and --handoff start the Playground itself, ` +
        "once per person: stop the one running there first (Ctrl-C in its terminal).");
    }
    console.log(`▶ starting the Playground as ${this.person.name} on port ${port} (log ${this.logFile})`);
    const log = createWriteStream(this.logFile);
    // -p: the Playground would take a random port if this one were taken; the check above and the config check
    // below make sure the page at --url is the one just started.
    this.child = spawn(process.execPath, [join(here, "start.mjs"), "--no-browser", "--user", this.user, ...this.extra, "--", "-p", String(port)],
      { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, BOT_ENDPOINT: opts.bot } });
    this.child.stdout.pipe(log);
    this.child.stderr.pipe(log);
    this.exited = new Promise((r) => this.child.once("exit", (code, signal) => r({ code, signal })));
    this.exited.then((x) => (this.gone = x));
    if (!wait) return;
    await this.ready();
  }

  // ready waits until the Playground answers as its person. (Its configuration endpoint answers only once the bot
  // does.)
  async ready() {
    const { opts, url } = this;
    const startTimeout = Math.max(60000, 3 * opts.timeout);
    await until(`the Playground did not come up as ${this.person.name} at ${url}; see ${this.logFile}`, startTimeout, async () => {
      const gone = this.gone;
      if (gone) {
        throw new StepError(`the Playground exited (${gone.signal || `code ${gone.code}`}) before it was ready; see ${this.logFile}`);
      }
      try {
        const res = await fetch(`${url}/_internal/v1/config`, { signal: AbortSignal.timeout(2000) });
        const body = res.ok ? await res.json() : null;
        return body?.config?.currentUser?.name === this.person.name;
      } catch {
        return false;
      }
    });
  }

  // kill signals the whole process group (start.mjs and the Playground it runs).
  kill(signal) {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  async stop() {
    if (!this.child) return;
    this.kill("SIGTERM");
    const timer = (ms) => new Promise((r) => setTimeout(() => r("timeout"), ms));
    if ((await Promise.race([this.exited, timer(10000)])) === "timeout") {
      this.kill("SIGKILL");
      await Promise.race([this.exited, timer(5000)]);
    }
    // Its children may outlive start.mjs for a moment; the next start needs the port.
    try {
      await until(`port ${this.port} is still taken after stopping the Playground`, 15000,
        async () => !(await listening(this.host, this.port)));
    } catch (e) {
      this.kill("SIGKILL");
      throw e;
    }
    console.log(`■ stopped the Playground as ${this.person.name}`);
    this.child = null;
  }
}

// checkBot makes sure the bot answers before --all starts anything.
async function checkBot(opts) {
  const health = new URL("/healthz", opts.bot);
  try {
    const res = await fetch(health, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    throw new StepError(`the bot does not answer at ${health} (${e.cause?.code || e.message}): --all expects it running ` +
      "(go run ./cmd/valtuusbotti serve)");
  }
}

// runAll plays the whole flow: the employee asks, the supervisor approves, the main user grants, the employee
// finds the mandates in force. Each person gets a Playground of their own, started and stopped here.
async function runAll(opts, browser) {
  await checkBot(opts);
  const chain = {};
  const parts = [
    ["elina", async (w) => {
      const r = await runEmployee(w, opts);
      chain.reference = r.reference;
      chain.employee = r;
    }],
    ["sami", async (w) => {
      const r = await runSupervisor(w, opts, chain);
      Object.assign(chain, { themes: r.themes, requestedUntil: r.requestedUntil, supervisor: r });
    }],
    ["elina", async (w) => {
      chain.steps = await runEmployeeSteps(w, opts, chain);
    }],
    ["mikael", async (w) => {
      const r = await runMainUser(w, opts, chain);
      Object.assign(chain, { until: r.until, mainUser: r });
    }],
    ["elina", async (w) => {
      chain.after = await runEmployeeAfter(w, opts, chain);
    }],
  ];
  let pg = null;
  const onSignal = (sig) => {
    if (pg) pg.kill("SIGTERM");
    console.error(`walkthrough.mjs: ${sig}; stopped the Playground it started`);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    for (const [i, [user, part]] of parts.entries()) {
      pg = new Playground(opts, user, i + 1);
      try {
        await pg.start();
        await withPage(browser, opts, part);
      } finally {
        await pg.stop();
        pg = null;
      }
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return chain;
}

// runNewcomerWithPlayground plays the new employee's scenario in a Playground of its own, started as Oskar Berg
// on the port of --url and stopped afterwards; its log goes to a directory of its own under the system's temporary
// directory (opts.logDir).
async function runNewcomerWithPlayground(opts, browser) {
  await checkBot(opts);
  const pg = new Playground(opts, "oskar", 1);
  const onSignal = (sig) => {
    pg.kill("SIGTERM");
    console.error(`walkthrough.mjs: ${sig}; stopped the Playground it started`);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await pg.start();
    return await withPage(browser, opts, (w) => runNewcomer(w, opts));
  } finally {
    await pg.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

// Bot is the bot the --alerts scenario runs itself: the binary built from this repository, on the port of --bot,
// with a SQLite database of its own, the alert scheduler's pass every 2 s and, from the second start on, the clock
// run ahead (VALTUUS_CLOCK_OFFSET) to a moment the scenario chose. Any VALTUUS_* of the caller's environment is left
// out, so the bot runs on its embedded defaults. Its output goes to DIR/bot-<n>.log.
class Bot {
  constructor(opts, bin, db) {
    this.opts = opts;
    this.bin = bin;
    this.db = db;
    this.host = new URL(opts.bot).hostname;
    this.port = portOf(opts.bot);
    this.n = 0;
    this.child = null;
    this.exited = null;
  }

  // start runs the bot with its clock at `clock` (a Date; null: the real clock) and waits until /healthz answers.
  async start(clock) {
    const { opts, port } = this;
    if (await listening(this.host, port)) {
      throw new StepError(`something already listens on port ${port} (${opts.bot}). --alerts starts the bot itself, ` +
        "with a database of its own and its clock run ahead: pick a free port with --bot.");
    }
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VALTUUS_")));
    Object.assign(env, { VALTUUS_LISTEN_ADDR: `127.0.0.1:${port}`, VALTUUS_DATABASE_URL: `sqlite:${this.db}`,
      VALTUUS_ALERT_INTERVAL: "2s" });
    if (clock) {
      const ahead = Math.floor((clock.getTime() - Date.now()) / 1000);
      if (ahead <= 0) throw new StepError(`the clock cannot be set back to ${wt.show(clock)}`);
      env.VALTUUS_CLOCK_OFFSET = `${ahead}s`;
    }
    this.n++;
    const logFile = join(opts.logDir, `bot-${this.n}.log`);
    const shown = ["VALTUUS_LISTEN_ADDR", "VALTUUS_DATABASE_URL", "VALTUUS_ALERT_INTERVAL", "VALTUUS_CLOCK_OFFSET"]
      .filter((k) => env[k]).map((k) => `${k}=${env[k]}`).join(" ");
    console.log(`▶ starting the bot, clock ${clock ? `run ahead to ${wt.show(clock)}` : "real"} (log ${logFile}):\n    ${shown} ${this.bin} serve`);
    const log = createWriteStream(logFile);
    this.child = spawn(this.bin, ["serve"], { detached: true, stdio: ["ignore", "pipe", "pipe"], env });
    this.child.stdout.pipe(log);
    this.child.stderr.pipe(log);
    this.exited = new Promise((r) => this.child.once("exit", (code, signal) => r({ code, signal })));
    let gone = null;
    this.exited.then((x) => (gone = x));
    await until(`the bot did not answer ${opts.bot.replace(/\/api\/messages$/, "")}/healthz; see ${logFile}`, 60000, async () => {
      if (gone) throw new StepError(`the bot exited (${gone.signal || `code ${gone.code}`}) at start; see ${logFile}`);
      try {
        return (await fetch(new URL("/healthz", opts.bot), { signal: AbortSignal.timeout(2000) })).ok;
      } catch {
        return false;
      }
    });
  }

  kill(signal) {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  // stop ends the bot with SIGTERM (it shuts down gracefully) and waits until its port is free.
  async stop() {
    if (!this.child) return;
    this.kill("SIGTERM");
    const timer = (ms) => new Promise((r) => setTimeout(() => r("timeout"), ms));
    if ((await Promise.race([this.exited, timer(30000)])) === "timeout") {
      this.kill("SIGKILL");
      await Promise.race([this.exited, timer(5000)]);
    }
    await until(`port ${this.port} is still taken after stopping the bot`, 15000, async () => !(await listening(this.host, this.port)));
    console.log("■ stopped the bot");
    this.child = null;
  }
}

// buildBot builds the bot from this repository into DIR (go build; the first build on a machine takes minutes).
async function buildBot(opts) {
  const bin = join(opts.logDir, "valtuusbotti");
  const logFile = join(opts.logDir, "build.log");
  console.log(`▶ building the bot: go build -o ${bin} ./cmd/valtuusbotti (log ${logFile})`);
  const log = createWriteStream(logFile);
  const child = spawn("go", ["build", "-o", bin, "./cmd/valtuusbotti"], { cwd: join(here, "..", ".."), stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const code = await new Promise((r) => {
    child.once("error", () => r(-1));
    child.once("exit", (c) => r(c));
  });
  if (code !== 0) throw new StepError(`go build failed (${code < 0 ? "is Go on the PATH?" : `exit ${code}`}); see ${logFile}`);
  return bin;
}

// alertsPlan picks the end date of the mandates from the real date: its 60-day expiry notice falls on a working day
// (so a clock run ahead to that morning sees it), at least five weeks away, well after the grant's week.
function alertsPlan(now) {
  const noticeDay = wt.firstWorkingDayFrom(wt.addDays(wt.dateOf(now), 35));
  return { start: now, noticeDay, until: wt.addDays(noticeDay, 60) };
}

// runAlerts plays the alerts (issue 8) with the bot's clock run ahead. The bot and the Playground are started and
// stopped here: on the real clock Elina asks (with the end date the plan chose), Sami approves, Elina sends the
// valtuuspyyntö and Mikael sees his grant task and when its reminder and the weekly digest are due; then the bot is
// restarted three times with VALTUUS_CLOCK_OFFSET: when the reminder is due (Mikael), on the next week's first
// working morning (Mikael: the digest; he grants), and 60 days before the mandates end (Elina: the expiry notices).
async function runAlerts(opts, browser) {
  const bin = await buildBot(opts);
  const plan = alertsPlan(new Date());
  const bot = new Bot(opts, bin, join(opts.logDir, "valtuusbotti.db"));
  // The first parts are --all's; their screenshots go to the temporary directory, not to --out.
  const chainOpts = { ...opts, out: join(opts.logDir, "chain"), until: plan.until };
  mkdirSync(chainOpts.out, { recursive: true });
  console.log(`  plan: Elina asks for mandates until ${fiDate(plan.until)}, so the 60-day notice is due ${wt.show(wt.onDay(plan.noticeDay))}`);
  const chain = { until: plan.until };
  let pg = null;
  let n = 0;
  const onSignal = (sig) => {
    if (pg) pg.kill("SIGTERM");
    bot.kill("SIGTERM");
    console.error(`walkthrough.mjs: ${sig}; stopped the Playground and the bot it started`);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // visit runs one part in a Playground started as `user`; with `clock`, the bot is (re)started at that clock once the
  // Playground listens, so the alerts it sends at once are kept for the person's page, which opens next. (The
  // Playground is ready only when the bot answers.)
  const visit = async (user, partOpts, part, clock) => {
    pg = new Playground(opts, user, ++n);
    try {
      if (clock !== undefined) {
        await pg.start(false);
        await until(`the Playground does not listen on ${opts.url}; see ${pg.logFile}`, 60000, async () => {
          if (pg.gone) throw new StepError(`the Playground exited before it listened; see ${pg.logFile}`);
          return listening(pg.host, pg.port);
        });
        await bot.start(clock);
        await pg.ready();
      } else {
        await pg.start();
      }
      return await withPage(browser, partOpts, part);
    } finally {
      await pg.stop();
      pg = null;
      if (clock !== undefined) await bot.stop();
    }
  };
  try {
    const started = [new Date()];
    await bot.start(null); // it schedules the first weekly digest when it starts
    started.push(new Date());
    try {
      const r = await visit("elina", chainOpts, (w) => runEmployee(w, chainOpts));
      chain.reference = r.reference;
      chain.employee = r;
      const s = await visit("sami", chainOpts, (w) => runSupervisor(w, chainOpts, chain));
      Object.assign(chain, { themes: s.themes, requestedUntil: s.requestedUntil });
      if (isoDate(s.requestedUntil) !== plan.until) {
        throw new StepError(`Sami's card asks for ${s.requestedUntil}, not the end date Elina chose (${fiDate(plan.until)})`);
      }
      const stepsStarted = new Date();
      chain.steps = await visit("elina", chainOpts, (w) => runEmployeeSteps(w, chainOpts, chain));
      chain.filedAt = new Date(); // she said she sent it within this part: the grant task waits from then
      chain.look = await visit("mikael", opts, (w) => runMainUserLook(w, opts, chain));
      // The script's calendar must agree with the bot's before the clock is run ahead on it.
      const [early, late] = [wt.grantReminderDue(stepsStarted), wt.grantReminderDue(chain.filedAt)];
      const listed = chain.look.reminderAt;
      if (listed < new Date(early.getTime() - 60000) || listed > late) {
        throw new StepError(`the bot lists the first reminder at ${wt.show(listed)}; this script's calendar ` +
          `(tools/playground/worktime.mjs) says ${wt.show(late)}: they disagree`);
      }
      if (!started.some((t) => wt.digestAfter(t).getTime() === chain.look.digestAt.getTime())) {
        throw new StepError(`the bot lists the weekly digest at ${wt.show(chain.look.digestAt)}; this script's calendar ` +
          `says ${wt.show(wt.digestAfter(started[1]))}: they disagree`);
      }
      plan.reminderDue = new Date(listed.getTime() + 60000); // the list shows minutes
    } finally {
      await bot.stop();
    }

    plan.reminder = wt.workingMoment(new Date(plan.reminderDue.getTime() + 30 * 60000));
    chain.reminder = await visit("mikael", opts, (w) => runReminder(w, opts, chain, plan), plan.reminder);

    plan.digestDue = wt.digestAfter(plan.reminder);
    plan.digest = new Date(plan.digestDue.getTime() + 30 * 60000);
    if (wt.dateOf(plan.digest) >= plan.noticeDay) {
      throw new StepError(`the digest's day ${wt.show(plan.digest)} is not before the 60-day notice's ${fiDate(plan.noticeDay)}`);
    }
    chain.granted = await visit("mikael", opts, (w) => runDigest(w, opts, chain, plan), plan.digest);

    plan.expiry = wt.at(plan.noticeDay, 9 * 60);
    chain.expiry = await visit("elina", opts, (w) => runExpiry(w, opts, chain, plan), plan.expiry);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    bot.kill("SIGTERM");
  }
  return { chain, plan };
}

// ---- The hand-off to the digituki channel (--handoff, issue 11) ----

// The employee's question (no FAQ entry answers it), her follow-up, the supporter's reply and resolution.
const HANDOFF = {
  question: "miten saan kaupungin auton avaimet",
  followUp: "Tarvitsen auton huomenna kello 8, kenen puoleen käännyn?",
  reply: "Avaimet saa kaupungintalon vahtimestarilta, kerroin hänelle että tulet.",
  resolution: "Auton avaimet saa kaupungintalon vahtimestarilta; varaus tehdään autovarauskalenterissa.",
};

// loadDigituki reads the digituki channel's conversation id (digituki.channel_id in organisation.yaml).
function loadDigituki() {
  const org = parseYaml(readFileSync(join(CATALOG_DIR, "organisation.yaml"), "utf8"));
  const id = org.digituki?.channel_id;
  if (!id) throw new StepError("internal/catalog/data/organisation.yaml has no digituki.channel_id: the hand-off is off");
  return { channelId: String(id), teamId: String(org.digituki.team_id || id) };
}

// viewShot saves the window as it is, with `target` (a locator) scrolled to the middle of its pane.
async function viewShot(w, target, name) {
  const file = join(w.opts.out, `${name}.png`);
  await target.evaluate((e) => e.scrollIntoView({ block: "center" }));
  await w.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await w.page.screenshot({ path: file });
  console.log(`    screenshot ${file}`);
}

// runHandoff plays the hand-off (steps H1-H9) in two pages at once: Dina Korhonen, a digituki supporter, in the
// Playground whose team's General channel is the digituki channel (d), and Elina Lindholm in her 1:1 chat (e).
async function runHandoff(d, e, opts, digituki) {
  const q = new RegExp(escapeRe(HANDOFF.question));

  await d.open(PEOPLE.dina);
  await d.begin("H1 Dina opens the team's General channel, the digituki channel");
  // The Playground's loaded config lists teams[] with their channels (the General channel's id is the team's).
  const config = await (await fetch(`${d.opts.url}/_internal/v1/config`)).json();
  const teams = config?.config?.teams || [];
  const team = teams.find((t) => (t.channels || []).some((c) => c.id === digituki.channelId));
  if (!team) {
    d.fail(`no channel of the Playground's team has the digituki channel's id ${digituki.channelId} ` +
      `(it has ${teams.flatMap((t) => (t.channels || []).map((c) => c.id)).join(", ") || "none"}): start it with ` +
      `node tools/playground/start.mjs --no-browser --user dina --team "${digituki.channelId}"`);
  }
  const channel = team.channels.find((c) => c.id === digituki.channelId);
  const item = d.page.getByRole("treeitem", { name: `${team.name} - ${channel.name}`, exact: true });
  if ((await item.count()) === 0) d.fail(`the Playground shows no channel "${team.name} - ${channel.name}"`, await d.logTail());
  await item.first().click();
  await d.page.getByText("Start a new post").waitFor({ timeout: opts.timeout })
    .catch(() => d.fail("the General channel did not open"));
  await d.settle();
  const fromD = await d.cards.count();

  await e.open(PEOPLE.elina);
  await e.begin("H2 Elina types suomi and asks a question the FAQ cannot answer");
  await e.pinFinnish();
  let from = await e.cards.count();
  await e.type(HANDOFF.question);
  const ans = await e.findCard(from, [/(En löytänyt vastausta|En ole varma vastauksesta|Löysin nämä vastaukset)/, /Kysy ihmiseltä/]);
  if (ans.index < 0) {
    e.fail("no answers card with \"Kysy ihmiseltä\" came. If Elina still has an open hand-off from an earlier run, " +
      "her message was relayed to it instead: close it in the channel or use a fresh database",
      `${ans.seen.slice(0, 800)}\n--- log panel ---\n${await e.logTail()}`);
  }
  const faqTitle = ans.text.split("\n")[0].trim();
  await e.screenshot(ans.index, "handoff-01-answers");

  await e.begin("H3 taps Kysy ihmiseltä, keeps the question and taps Lähetä kysymys");
  await e.tap(ans.index, "Kysy ihmiseltä");
  const ask = await e.waitForCard(ans.index, [/Kysy tukihenkilöltä/, /Lähetä kysymys/], "the hand-off form");
  const asked = await e.cards.nth(ask.index).locator("textarea, input[type=text]").first().inputValue();
  if (asked.trim() !== HANDOFF.question) e.fail(`the question field holds "${asked}", not the question asked`, ask.text);
  await e.tap(ask.index, "Lähetä kysymys");
  const sent = await e.waitForCard(ask.index, [/Kysymyksesi on lähetetty/, q, /Peru kysymys/], "Kysymyksesi on lähetetty");
  await e.screenshot(sent.index, "handoff-02-sent");

  await d.begin("H4 the hand-off card appears in the digituki channel");
  const card = await d.waitForCard(fromD, [/Kysymys: Elina Lindholm/, q, /Odottaa ottajaa/], "the hand-off card");
  const facts = await d.facts(card.index);
  for (const [k, v] of [["Kysyjä", "Elina Lindholm"], ["Kieli", "suomi"], ["Tila", "Odottaa ottajaa"]]) {
    if (facts.get(k) !== v) d.fail(`the card's ${k} is "${facts.get(k)}", not "${v}"`, card.text);
  }
  if (!facts.get("Yksikkö")) d.fail("the card names no Yksikkö", card.text);
  if (!/Viimeiset viestit ennen kysymystä/.test(card.text)) d.fail("the card has no last turns", card.text);
  const buttons = await d.buttons(card.index);
  if (buttons.join("|") !== "Ota hoitaakseni") d.fail(`the card's buttons are ${JSON.stringify(buttons)}, not only "Ota hoitaakseni"`);
  await d.screenshot(card.index, "handoff-03-channel-card");

  await d.begin("H5 Dina taps Ota hoitaakseni");
  await d.tap(card.index, "Ota hoitaakseni");
  const taken = await d.waitForChange(card.index, [/Dina Korhonen hoitaa/, /Sulje ratkaistuna/], "taken by Dina Korhonen");
  if (/Ota hoitaakseni/.test(taken)) d.fail("the taken card still offers Ota hoitaakseni", taken);
  await d.screenshot(card.index, "handoff-04-taken");

  await e.begin("H6 Elina is told who helps her");
  const notice = await e.waitForCard(sent.index + 1, [/Dina Korhonen auttaa sinua/, q], "Dina Korhonen auttaa sinua");
  await e.screenshot(notice.index, "handoff-05-employee-notice");

  await e.begin("H7 Elina writes a follow-up in her 1:1 chat; it goes into the card's thread");
  const inThread = `Elina Lindholm: ${HANDOFF.followUp}`;
  const beforeD = await d.countText(inThread);
  from = await e.cards.count();
  await e.type(HANDOFF.followUp);
  await d.waitForText(inThread, beforeD);
  if ((await e.cards.count()) > from) e.fail("the bot answered the follow-up in the chat instead of only relaying it", await e.cardText(from));

  await d.begin("H8 Dina replies in the thread, mentioning @Valtuusbotti; the reply goes to Elina");
  const replyBox = d.cards.nth(card.index).locator('xpath=following::div[@role="textbox" and @contenteditable="true"][1]');
  if ((await replyBox.count()) === 0) d.fail("the hand-off card's post has no reply box");
  await replyBox.click();
  await d.page.keyboard.type("@Valtuus");
  await d.page.getByRole("menuitem", { name: "Valtuusbotti" }).first().click({ timeout: opts.timeout })
    .catch(() => d.fail("typing @Valtuus offered no Valtuusbotti to mention"));
  await d.page.keyboard.type(` ${HANDOFF.reply}`);
  const toElina = `Dina Korhonen: ${HANDOFF.reply}`;
  const beforeE = await e.countText(toElina);
  await d.page.keyboard.press("Enter");
  await e.waitForText(toElina, beforeE);
  await viewShot(d, d.page.getByText(HANDOFF.reply).last(), "handoff-06-thread");
  await viewShot(e, e.page.getByText(toElina).last(), "handoff-07-employee-chat");

  await d.begin("H9 Dina writes the resolution and taps Sulje ratkaistuna");
  await d.cards.nth(card.index).locator("textarea, input[type=text]").first().fill(HANDOFF.resolution);
  await d.tap(card.index, "Sulje ratkaistuna");
  const closed = await d.waitForChange(card.index, [/Tila\s+Suljettu/], "Suljettu");
  if ((await d.buttons(card.index)).length > 0) d.fail("the closed card still has buttons", closed);
  await d.screenshot(card.index, "handoff-08-closed");
  const done = await e.waitForCard(notice.index + 1, [/Kysymyksesi on suljettu/, new RegExp(escapeRe(HANDOFF.resolution))],
    "Kysymyksesi on suljettu with the resolution");
  await e.screenshot(done.index, "handoff-09-employee-closed");
  return { faqTitle, channelId: digituki.channelId, channel: `${team.name} › ${channel.name}` };
}

// runHandoffWithPlaygrounds starts two Playgrounds at once: Dina's on the port of --url with the digituki channel as
// its team's General channel, and Elina's on the port of --employee-url; plays runHandoff and stops them again.
async function runHandoffWithPlaygrounds(opts, browser) {
  await checkBot(opts);
  const digituki = loadDigituki();
  const pgs = [new Playground(opts, "dina", 1, opts.url, ["--team", digituki.channelId]),
    new Playground(opts, "elina", 2, opts.employeeUrl)];
  const onSignal = (sig) => {
    for (const pg of pgs) pg.kill("SIGTERM");
    console.error(`walkthrough.mjs: ${sig}; stopped the Playgrounds it started`);
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const contexts = [];
  try {
    for (const pg of pgs) await pg.start();
    const page = async () => {
      const c = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fi-FI" });
      contexts.push(c);
      const p = await c.newPage();
      p.setDefaultTimeout(opts.timeout);
      return p;
    };
    const d = new Walkthrough(await page(), opts);
    const e = new Walkthrough(await page(), { ...opts, url: opts.employeeUrl });
    try {
      return await runHandoff(d, e, opts, digituki);
    } catch (err) {
      await d.page.screenshot({ path: join(opts.out, "failure.png") }).catch(() => {});
      await e.page.screenshot({ path: join(opts.out, "failure-employee.png") }).catch(() => {});
      err.screenshot = `${join(opts.out, "failure.png")} (the channel) and ${join(opts.out, "failure-employee.png")} (Elina)`;
      throw err;
    }
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
    for (const pg of pgs) await pg.stop().catch((err) => console.error(err.message));
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

const yes = (r) => (r.delivered ? `yes, in ${r.deliveredIn}` : "no");

function cleanOut(opts) {
  // Screenshots of an earlier run would pass for this run's: remove them (only the names this part writes).
  let mine;
  if (opts.handoff) mine = /^(handoff-\d\d-[a-z-]+|failure|failure-employee)\.png$/;
  else if (opts.all) mine = /^((\d\d|steps-\d\d)-[a-z-]+\.png|failure\.png|playground-\d-[a-z]+\.log)$/;
  else if (opts.alerts) mine = /^(alerts-\d\d-[a-z-]+|failure)\.png$/;
  else if (opts.as === "oskar") mine = /^(newcomer-\d\d-[a-z-]+|failure)\.png$/;
  else if (opts.as === "sami") mine = /^(08-[a-z-]+|failure)\.png$/;
  else if (opts.as === "mikael") mine = /^(09-[a-z-]+|failure)\.png$/;
  else if (opts.final) mine = /^(10-[a-z-]+|failure)\.png$/;
  else if (opts.steps) mine = /^(steps-\d\d-[a-z-]+|failure)\.png$/;
  else mine = /^(0[1-7]-[a-z-]+|failure)\.png$/;
  for (const f of readdirSync(opts.out)) if (mine.test(f)) rmSync(join(opts.out, f), { force: true });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(opts.out, { recursive: true });
  cleanOut(opts);
  // The Playground logs of --all and --newcomer go to a directory of their own, not to --out (which may be docs/).
  if (opts.all || opts.newcomer || opts.alerts || opts.handoff) opts.logDir = mkdtempSync(join(tmpdir(), "valtuusbotti-playground-"));
  if (opts.alerts) console.log(`  the logs of the bot and the Playground, the database and the first parts' screenshots: ${opts.logDir}`);
  const browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: !opts.headed,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    if (opts.handoff) {
      const r = await runHandoffWithPlaygrounds(opts, browser);
      console.log(`OK: hand-off played through — Elina asked "${HANDOFF.question}" (the FAQ card: "${r.faqTitle}"), ` +
        `tapped Kysy ihmiseltä; the card reached the digituki channel (${r.channel}, ${r.channelId}) in Dina's Playground; Dina took ` +
        `it, Elina's follow-up was relayed into the card's thread and Dina's @Valtuusbotti reply back to Elina's chat; ` +
        `Dina closed it and Elina got the resolution; screenshots in ${opts.out}`);
    } else if (opts.all) {
      const c = await runAll(opts, browser);
      const e = c.employee;
      console.log(`OK: ${c.reference} played through — Elina asked (role ${e.role}, ${e.themes}); ` +
        `Sami approved ${c.themes.length} theme(s) (his approval card arrived on opening: ${yes(c.supervisor)}); ` +
        `Elina got the Suomi.fi steps and sent the valtuuspyyntö (${fiDate(c.steps.filedOn)}); ` +
        `Mikael confirmed it ${fiDate(c.mainUser.from)}–${fiDate(c.until)} (his grant task arrived on opening: ` +
        `${yes(c.mainUser)}; ${c.mainUser.upcoming} upcoming alert(s) with the weekly digest); in force ` +
        `${c.mainUser.activeBefore} → ${c.mainUser.activeAfter}; Elina sees them in "Omat valtuuteni" and got the ` +
        `granted notice; screenshots in ${opts.out}`);
    } else if (opts.alerts) {
      const { chain: c, plan: p } = await runAlerts(opts, browser);
      const g = c.granted;
      console.log(`OK: ${c.reference}, the alerts on a clock run ahead — on the real clock Elina asked for ` +
        `${c.themes.length} theme(s) until ${fiDate(c.until)}, Sami approved, Elina sent the valtuuspyyntö ` +
        `(${wt.show(c.filedAt)}) and Mikael saw the task; at ${wt.show(p.reminder)} Mikael's reminder came: the task card ` +
        `marked "Muistutus: tämä tehtävä on odottanut ${c.reminder.days} työpäivää"; at ${wt.show(p.digest)} the weekly ` +
        `digest "Viikon katsaus: valtuudet" came with ${g.open} open grant task(s), and Mikael granted from it ` +
        `${fiDate(g.from)}–${fiDate(c.until)}; at ${wt.show(p.expiry)}, 60 days before the end, Elina got ` +
        `${c.expiry.notices} expiry notice(s) with "Uusi" and "Anna päättyä" and let ${c.expiry.theme} lapse ` +
        `(${fiDate(c.expiry.lapsedOn)}); screenshots in ${opts.out}`);
    } else if (opts.newcomer) {
      const r = await runNewcomerWithPlayground(opts, browser);
      console.log(`OK: ${PEOPLE.oskar.name}, a new employee, chose the role ${r.role} and tapped the main button: ` +
        `${r.reference} (${r.themes}${r.validUntil ? `, until ${r.validUntil}` : ""}); screenshots in ${opts.out}`);
    } else if (opts.as === "oskar") {
      const r = await withPage(browser, opts, (w) => runNewcomer(w, opts));
      console.log(`OK: ${PEOPLE.oskar.name} chose the role ${r.role} and tapped the main button: ${r.reference} ` +
        `(${r.themes}); screenshots in ${opts.out}`);
    } else if (opts.as === "sami") {
      const r = await withPage(browser, opts, (w) => runSupervisor(w, opts));
      console.log(`OK: ${r.reference} approved by ${PEOPLE.sami.name} (${r.themes.length} theme(s); the approval card ` +
        `arrived on opening: ${yes(r)}); screenshots in ${opts.out}`);
    } else if (opts.as === "mikael") {
      const r = await withPage(browser, opts, (w) => runMainUser(w, opts));
      console.log(`OK: ${r.reference} granted by ${PEOPLE.mikael.name}, ${fiDate(r.from)}–${fiDate(r.until)} ` +
        `(${r.themes.length} theme(s); in force ${r.activeBefore} → ${r.activeAfter}; the grant task arrived on ` +
        `opening: ${yes(r)}); screenshots in ${opts.out}`);
    } else if (opts.steps) {
      const r = await withPage(browser, opts, (w) => runEmployeeSteps(w, opts));
      console.log(`OK: ${PEOPLE.elina.name} got the Suomi.fi steps of ${r.reference} and said she sent the valtuuspyyntö ` +
        `(${fiDate(r.filedOn)}); screenshots in ${opts.out}`);
    } else if (opts.final) {
      const r = await withPage(browser, opts, (w) => runEmployeeAfter(w, opts));
      console.log(`OK: ${r.active} mandate(s) in force for ${PEOPLE.elina.name}; the granted notice arrived; ` +
        `screenshots in ${opts.out}`);
    } else {
      const report = await withPage(browser, opts, (w) => runEmployee(w, opts));
      console.log(`OK: ${report.reference} (role ${report.role}, ${report.themes}, ` +
        `look-alike warnings ${report.lookAlikes ? "shown" : "none"}${report.validUntil ? `, until ${report.validUntil}` : ""}); ` +
        `screenshots in ${opts.out}`);
    }
  } catch (e) {
    console.error(`FAILED: ${e instanceof StepError ? e.message : e.stack || e}`);
    if (e.screenshot) console.error(`screenshot of the page: ${e.screenshot}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

await main();
