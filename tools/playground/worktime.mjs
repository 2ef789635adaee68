// The organisation's working time as the bot's alerts (herätteet) reckon it, for the walkthrough's --alerts scenario,
// which runs the bot's clock ahead to the moments its alerts fall due. It mirrors internal/worktime (the Finnish
// holidays, weekends, working-day arithmetic, Europe/Helsinki) and internal/alerts (grant reminders after the
// policy's working days, the weekly digest on the first working morning of each week, expiry notices at the start of
// working hours on their day), with the policy's defaults (domain.AlertPolicy.Defaults: working hours 08:00–16:00,
// the first grant reminder after 3 working days). The walkthrough checks these moments against the bot's own list
// ("tulevat muistutukset") before it relies on them.
//
// Civil dates are ISO strings ("2026-12-03"); instants are Date objects.

const ZONE = "Europe/Helsinki";
export const WORK_START = 8 * 60; // minutes after midnight, Finnish time
export const WORK_END = 16 * 60;
export const GRANT_REMINDER_DAYS = 3;

const DAY = 86400000;
const pad = (n) => String(n).padStart(2, "0");
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
const utcOf = (d) => Date.parse(`${d}T00:00:00Z`);

/** addDays is the civil date n days after d. */
export function addDays(d, n) {
  return iso(utcOf(d) + n * DAY);
}

/** weekday of d: 0 Sunday … 6 Saturday. */
export function weekday(d) {
  return new Date(utcOf(d)).getUTCDay();
}

/** easter is Easter Sunday of year (the anonymous Gregorian computus, as worktime.Easter). */
export function easter(year) {
  const a = year % 19;
  const b = Math.floor(year / 100), c = year % 100;
  const d = Math.floor(b / 4), e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${pad(month)}-${pad(day)}`;
}

// weekdayFrom is the first date on or after d that falls on wd.
function weekdayFrom(d, wd) {
  return addDays(d, (wd - weekday(d) + 7) % 7);
}

const holidayCache = new Map();

/** holidays are the Finnish holidays of year (worktime.Holidays), as a set of dates. */
export function holidays(year) {
  if (!holidayCache.has(year)) {
    const e = easter(year);
    const day = (m, d) => `${year}-${pad(m)}-${pad(d)}`;
    holidayCache.set(year, new Set([
      day(1, 1), day(1, 6), addDays(e, -2), e, addDays(e, 1), day(5, 1), addDays(e, 39), addDays(e, 49),
      weekdayFrom(day(6, 19), 5), weekdayFrom(day(6, 20), 6), weekdayFrom(day(10, 31), 6),
      day(12, 6), day(12, 24), day(12, 25), day(12, 26),
    ]));
  }
  return holidayCache.get(year);
}

/** isWorkingDay: Monday to Friday, and not a Finnish holiday. */
export function isWorkingDay(d) {
  const wd = weekday(d);
  return wd !== 0 && wd !== 6 && !holidays(Number(d.slice(0, 4))).has(d);
}

/** nextWorkingDay is the first working day after d. */
export function nextWorkingDay(d) {
  return addWorkingDaysToDate(d, 1);
}

/** firstWorkingDayFrom is d when it is a working day, else the next one. */
export function firstWorkingDayFrom(d) {
  return isWorkingDay(d) ? d : nextWorkingDay(d);
}

/** addWorkingDaysToDate is the n-th working day after d (n ≥ 0). */
export function addWorkingDaysToDate(d, n) {
  while (n > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(d)) n--;
  }
  return d;
}

// parts is the wall clock in Finland at instant t.
function parts(t) {
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute),
    seconds: Number(p.second), ms: t.getTime() % 1000 };
}

/** dateOf is the civil date in Finland at instant t. */
export function dateOf(t) {
  return parts(t).date;
}

/** at is the instant of the wall clock time `minutes` after midnight (plus seconds and ms) on d in Finland. */
export function at(d, minutes, seconds = 0, ms = 0) {
  const want = utcOf(d) + (minutes * 60 + seconds) * 1000 + ms;
  let guess = want;
  for (let i = 0; i < 3; i++) {
    const p = parts(new Date(guess));
    const shown = utcOf(p.date) + (p.minutes * 60 + p.seconds) * 1000 + (((guess % 1000) + 1000) % 1000);
    guess += want - shown;
  }
  return new Date(guess);
}

/** isWorkingTime: within working hours of a working day. */
export function isWorkingTime(t) {
  const p = parts(t);
  return isWorkingDay(p.date) && p.minutes >= WORK_START && p.minutes < WORK_END;
}

/** nextWorkingMoment is t within working hours, else the start of the next working period (worktime). */
export function nextWorkingMoment(t) {
  const p = parts(t);
  if (isWorkingDay(p.date)) {
    if (p.minutes < WORK_START) return at(p.date, WORK_START);
    if (p.minutes < WORK_END) return t;
  }
  return at(nextWorkingDay(p.date), WORK_START);
}

/** addWorkingDays moves t by n working days, keeping its wall clock time (worktime.AddWorkingDays). */
export function addWorkingDays(t, n) {
  const p = parts(t);
  return at(addWorkingDaysToDate(p.date, n), p.minutes, p.seconds, p.ms);
}

/** onDay is the start of working hours on d, or on the next working day (alerts.Service.OnDay). */
export function onDay(d) {
  return at(firstWorkingDayFrom(d), WORK_START);
}

/** grantReminderDue is when the first reminder of a grant task that began to wait at t falls due. */
export function grantReminderDue(t) {
  return nextWorkingMoment(addWorkingDays(t, GRANT_REMINDER_DAYS));
}

/** digestAfter is when the first weekly digest after t falls due: the first working morning of a week. */
export function digestAfter(t) {
  const today = dateOf(t);
  let monday = addDays(today, -((weekday(today) + 6) % 7));
  let due = onDay(monday);
  while (due.getTime() <= t.getTime()) {
    monday = addDays(monday, 7);
    due = onDay(monday);
  }
  return due;
}

/** workingDaysBetween counts the working days from since to now, as the grant reminder says them. */
export function workingDaysBetween(since, now) {
  let n = 0;
  for (let d = dateOf(since), end = dateOf(now); d < end; d = addDays(d, 1)) {
    if (isWorkingDay(addDays(d, 1))) n++;
  }
  return n;
}

/** workingMoment is t when it and the next `margin` ms are within working hours, else `later` ms after the start of
 * the next working period: a clock to run the bot at so that due alerts run at once and the visit ends in time. */
export function workingMoment(t, margin = 20 * 60000, later = 30 * 60000) {
  if (isWorkingTime(t) && isWorkingTime(new Date(t.getTime() + margin))) return t;
  let next = nextWorkingMoment(t);
  if (next.getTime() === t.getTime()) next = at(nextWorkingDay(dateOf(t)), WORK_START);
  return new Date(next.getTime() + later);
}

/** show writes an instant as Finnish time, "9.12.2026 08:30 (ke)". */
export function show(t) {
  const p = parts(t);
  const [y, m, d] = p.date.split("-").map(Number);
  const day = ["su", "ma", "ti", "ke", "to", "pe", "la"][weekday(p.date)];
  return `${d}.${m}.${y} ${pad(Math.floor(p.minutes / 60))}:${pad(p.minutes % 60)} (${day})`;
}
