// Deterministic English-like forum text for the benchmark dataset: titles, Markdown bodies and
// the HTML and plain text the app would store for them. Word choice follows a Zipf-like skew
// and each category has its own vocabulary, so full-text search meets a realistic mix of
// common words (thousands of matching posts) and rare ones (a handful).

/** mulberry32: small, fast and good enough; a fixed seed makes runs comparable. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  /** rank r is chosen with weight 1 / (r + 1): the first words are the common ones */
  const zipf = <T>(items: readonly T[]) => {
    const h = Math.log(items.length + 1);
    return items[Math.min(items.length - 1, Math.floor(Math.exp(next() * h) - 1))];
  };
  return { next, int, pick, zipf, chance: (p: number) => next() < p };
}
export type Rng = ReturnType<typeof rng>;

const words = (s: string) => s.trim().split(/\s+/);

export const categoryVocabulary = {
  'getting-started': words(`
    workspace project projects team invite invites invitation onboarding template templates board boards
    member members owner permissions role roles folder folders checklist tutorial guide import dashboard
    view views timeline calendar kanban milestone milestones task tasks subtask assignee guest guests
    sidebar shortcut shortcuts archive duplicate welcome trial setup label labels`).concat(
    ['guest access', 'project template', 'recurring task', 'due date', 'keyboard shortcut']),
  billing: words(`
    invoice invoices plan plans billing payment payments card subscription subscriptions refund receipt
    receipts seat seats upgrade downgrade annual monthly tax vat currency discount coupon charge charged
    checkout renewal cancel cancellation trial sso saml okta domain admin owner pricing quote purchase
    credit balance enterprise license licenses`).concat(
    ['single sign-on', 'credit card', 'billing email', 'payment method', 'annual plan']),
  integrations: words(`
    api webhook webhooks token tokens endpoint endpoints slack zapier oauth scope scopes request requests
    response payload json header headers pagination cursor limit retry retries timeout signature secret
    rest sdk python javascript github jira calendar export import csv callback event events integration
    integrations sandbox key keys`).concat(
    ['rate limit', 'access token', 'api key', 'slack channel', 'webhook secret']),
  mobile: words(`
    iphone ipad android tablet phone app apps sync synced syncing offline notification notifications push
    badge battery login crash crashes update version widget widgets camera attachment attachments upload
    download storage cache background biometric face touch dark mode screen gesture keyboard tablet watch
    reinstall beta`).concat(
    ['dark mode', 'offline mode', 'push notification', 'home screen', 'face id']),
  ideas: words(`
    idea ideas feature request requests suggestion feedback roadmap vote votes option options setting
    settings customize custom theme themes filter filters sorting sort recurring dependency dependencies
    gantt report reports chart charts automation automations rule rules bulk template emoji reaction
    reactions markdown editor`).concat(
    ['gantt chart', 'time tracking', 'custom field', 'bulk edit', 'saved filter']),
} as const;
export type CategorySlug = keyof typeof categoryVocabulary;

const nouns = words(`
  problem issue way thing time account page list item user people setting option button message error
  file change data day week month hour minute version question answer help support team client customer
  company manager workflow process step result field column row link email name number list browser
  computer window tab menu screen link document note comment status history search filter report update
  problem system detail details part group order record entry copy state mode access password reset
  network connection server firewall proxy region language timezone format date image photo video
  share sharing owner draft schedule reminder deadline priority progress`);
const verbs = words(`
  open create add remove delete change move find see use set get make try check update show share send
  export import connect configure enable disable reset restore sync assign invite archive rename filter
  sort copy edit save load refresh install reinstall upgrade downgrade merge split link unlink schedule
  track review approve reject migrate`);
const adjectives = words(`
  new old same different empty wrong right correct missing broken slow fast simple easy hard strange
  weird whole entire current previous next last first other separate shared private public recurring
  automatic manual default custom duplicate blank hidden visible active inactive pending stuck random
  specific general mobile desktop`);
const adverbs = words(`
  sometimes always never usually suddenly recently again still already actually apparently quickly
  randomly constantly finally currently`);
const timeUnits = words('seconds minutes hours days weeks');
const platforms = words('Chrome Firefox Safari Edge Windows macOS Linux iOS Android');
const firstNames = words(`
  Maya Raj Sofia Tomasz Lea Kenji Amara Jonas Priya Alex Sam Noah Emma Liam Olivia Lucas Mia Ethan Ava
  Mateo Chloe Arjun Zoe Hugo Nina Omar Sara Ivan Yuki Elena Diego Hana Felix Ines Kofi Lena Marco Aisha
  Pavel Rosa`);
const lastNames = words(`
  Lindqvist Patel Moreno Nowak Martin Watanabe Okafor Berg Sharma Kim Rivera Smith Garcia Muller Rossi
  Novak Silva Jensen Dubois Tanaka Costa Kowalski Larsen Haddad Mensah Fischer Ortiz Quinn Sato Weber`);

export function personName(r: Rng): string {
  return `${r.pick(firstNames)} ${r.pick(lastNames)}`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** plural of the last word: "task" → "tasks", "entry" → "entries", "invoices" stays */
function plural(term: string): string {
  if (/(s|x|ch|sh)$/.test(term)) return term;
  if (/[^aeiou]y$/.test(term)) return `${term.slice(0, -1)}ies`;
  return `${term}s`;
}

function gerund(verb: string): string {
  if (['set', 'get', 'split'].includes(verb)) return `${verb}${verb.at(-1)}ing`;
  if (/[^e]e$/.test(verb)) return `${verb.slice(0, -1)}ing`;
  return `${verb}ing`;
}

const article = (word: string) => (/^([aeio]|un|up)/i.test(word) ? `an ${word}` : `a ${word}`);

function topicWord(r: Rng, category: CategorySlug) {
  return r.zipf(categoryVocabulary[category]);
}

function noun(r: Rng, category: CategorySlug) {
  return r.chance(0.5) ? topicWord(r, category) : r.zipf(nouns);
}

type Template = (r: Rng, c: CategorySlug) => string;

const sentences: Template[] = [
  (r, c) => `When I ${r.zipf(verbs)} the ${noun(r, c)} in the ${r.zipf(adjectives)} ${noun(r, c)} view, the ${noun(r, c)} is ${r.zipf(adjectives)}.`,
  (r, c) => `I tried to ${r.zipf(verbs)} ${article(topicWord(r, c))} but it ${r.pick(['fails', 'hangs', 'does nothing', 'shows an error', 'times out'])} after ${r.int(2, 90)} ${r.pick(timeUnits)}.`,
  (r, c) => `Is there a way to ${r.zipf(verbs)} ${r.zipf(adjectives)} ${plural(noun(r, c))} without ${gerund(r.zipf(verbs))} every ${topicWord(r, c)} by hand?`,
  (r, c) => `We have ${r.int(3, 400)} people on the ${r.pick(['free', 'team', 'business', 'enterprise'])} plan and the ${topicWord(r, c)} ${r.zipf(adverbs)} ${r.pick(['stops working', 'goes missing', 'gets out of date', 'shows twice'])}.`,
  (r, c) => `${cap(r.zipf(adverbs))} the ${noun(r, c)} ${r.pick(['appears', 'disappears', 'loads', 'updates', 'resets'])} ${r.zipf(adverbs)} on ${r.pick(platforms)}.`,
  (r, c) => `Go to settings, open the ${topicWord(r, c)} tab and ${r.zipf(verbs)} the ${r.zipf(adjectives)} ${noun(r, c)}.`,
  (r, c) => `This is a known ${r.pick(['issue', 'limitation', 'problem'])} with ${plural(topicWord(r, c))} and the team is working on a fix for the ${noun(r, c)}.`,
  (r, c) => `Thanks, that ${r.pick(['worked', 'helped', 'fixed it', 'solved the problem'])} for our ${topicWord(r, c)} and the ${noun(r, c)} too.`,
  (r, c) => `You can ${r.zipf(verbs)} the ${topicWord(r, c)} from the ${noun(r, c)} menu, then ${r.zipf(verbs)} it again.`,
  (r, c) => `The ${r.zipf(adjectives)} ${noun(r, c)} should ${r.zipf(verbs)} the ${topicWord(r, c)} ${r.pick(['automatically', 'right away', 'every night', 'once a week'])}.`,
  (r, c) => `Same here, the ${topicWord(r, c)} ${r.pick(['broke', 'changed', 'moved'])} after the ${r.pick(['last', 'latest', 'recent'])} update ${r.int(2, 20)} days ago.`,
  (r, c) => `Could you ${r.zipf(verbs)} your ${noun(r, c)} and tell us which ${topicWord(r, c)} you see in the ${r.zipf(nouns)} list?`,
  (r, c) => `My ${r.zipf(nouns)} says ${r.zipf(adjectives)} ${topicWord(r, c)} when I ${r.zipf(verbs)} the ${noun(r, c)} from ${r.pick(platforms)}.`,
  (r) => `It happens on ${r.pick(platforms)} and ${r.pick(platforms)} with version ${r.int(1, 9)}.${r.int(0, 40)}.`,
];

function sentence(r: Rng, category: CategorySlug): string {
  return r.pick(sentences)(r, category);
}

/** An inline code span the way support answers quote settings and error codes (no dots: linkify). */
function codeSpan(r: Rng, category: CategorySlug): string {
  return r.chance(0.5) ? `\`E${r.int(1000, 9999)}\`` : `\`${topicWord(r, category)}_${r.zipf(nouns)}\``;
}

export interface Body {
  markdown: string;
  html: string;
  text: string;
}

/**
 * A post of 1–4 paragraphs; some with a bold phrase, an inline code span or a short bullet list.
 * The HTML and text are what renderMarkdown produces for this subset of Markdown (run.ts checks
 * a sample against the real renderer before seeding).
 */
export function postBody(r: Rng, category: CategorySlug): Body {
  const md: string[] = [];
  const html: string[] = [];
  const text: string[] = [];
  const paragraphs = r.int(1, 4);
  let afterList = true;
  for (let p = 0; p < paragraphs; p++) {
    // Two lists in a row would be one list in Markdown: only after a paragraph.
    if (!afterList && r.chance(0.12)) {
      afterList = true;
      const items = Array.from({ length: r.int(2, 4) }, () => `${cap(r.zipf(verbs))} the ${noun(r, category)}`);
      md.push(items.map((i) => `- ${i}`).join('\n'));
      html.push(`<ul>\n${items.map((i) => `<li>${i}</li>\n`).join('')}</ul>\n`);
      text.push(...items);
      continue;
    }
    afterList = false;
    const mdParts: string[] = [];
    const htmlParts: string[] = [];
    const textParts: string[] = [];
    for (let s = r.int(1, 4); s > 0; s--) {
      const plain = sentence(r, category);
      if (r.chance(0.08)) {
        const code = codeSpan(r, category);
        const inner = code.slice(1, -1);
        mdParts.push(`${plain} Error ${code} shows up.`);
        htmlParts.push(`${plain} Error <code>${inner}</code> shows up.`);
        textParts.push(`${plain} Error ${inner} shows up.`);
      } else if (r.chance(0.06)) {
        const strong = `${cap(r.zipf(adjectives))} ${noun(r, category)}`;
        mdParts.push(`**${strong}**: ${plain}`);
        htmlParts.push(`<strong>${strong}</strong>: ${plain}`);
        textParts.push(`${strong}: ${plain}`);
      } else {
        mdParts.push(plain);
        htmlParts.push(plain);
        textParts.push(plain);
      }
    }
    md.push(mdParts.join(' '));
    html.push(`<p>${htmlParts.join(' ')}</p>\n`);
    text.push(textParts.join(' '));
  }
  return { markdown: md.join('\n\n'), html: html.join(''), text: text.join(' ') };
}

const titleTemplates: Template[] = [
  (r, c) => `How do I ${r.zipf(verbs)} ${r.zipf(adjectives)} ${plural(topicWord(r, c))}?`,
  (r, c) => `${cap(topicWord(r, c))} ${r.pick(['not working', 'stuck', 'missing', 'broken', 'slow'])} after ${gerund(r.zipf(verbs))} the ${noun(r, c)}`,
  (r, c) => `Can I ${r.zipf(verbs)} the ${topicWord(r, c)} for ${r.zipf(adjectives)} ${plural(noun(r, c))}?`,
  (r, c) => `${cap(r.zipf(adjectives))} ${topicWord(r, c)} when I ${r.zipf(verbs)} ${article(noun(r, c))} on ${r.pick(platforms)}`,
  (r, c) => `Feature request: ${r.zipf(verbs)} ${plural(topicWord(r, c))} from the ${noun(r, c)}`,
  (r, c) => `Error E${r.int(1000, 9999)} while ${gerund(r.zipf(verbs))} ${topicWord(r, c)}`,
  (r, c) => `Best way to ${r.zipf(verbs)} ${plural(topicWord(r, c))} across ${plural(r.zipf(nouns))}?`,
  (r, c) => `Why does the ${topicWord(r, c)} ${r.pick(['reset', 'disappear', 'duplicate', 'change'])} every ${r.pick(['day', 'week', 'time I log in', 'sync'])}?`,
];

export function threadTitle(r: Rng, category: CategorySlug): string {
  return r.pick(titleTemplates)(r, category);
}

/**
 * Realistic searches, common to rare: single words, two words (AND in websearch syntax), a phrase
 * and an exclusion. Every one matches something in the seeded data.
 */
export const searchQueries = [
  'sync',
  'invoice',
  'webhook',
  'notifications',
  'password reset',
  'slack integration',
  'offline mode',
  'api token',
  'recurring tasks',
  '"dark mode"',
  '"single sign-on"',
  '"rate limit"',
  'export csv',
  'saml okta',
  'crash android',
  'calendar -timeline',
  'gantt chart',
];
