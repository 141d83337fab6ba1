// The demo community's threads: a fictional project-management product, "Orbit".

export interface DemoReply {
  by: string;
  body: string;
  upvotes?: string[];
  afterMinutes?: number;
}

export interface DemoThread {
  category: string;
  kind: 'question' | 'discussion';
  by: string;
  title: string;
  body: string;
  tags: string[];
  ageHours: number;
  replies?: DemoReply[];
  upvotes?: string[];
  /** index of the reply the asker accepted */
  accept?: number;
}

export const demoThreads: DemoThread[] = [
  {
    category: 'getting-started', kind: 'question', by: 'maya', ageHours: 700, tags: ['invites'],
    title: 'How do I invite my whole team at once?',
    body: 'I have about 30 people to add. Is there a way to **bulk invite** instead of typing every email address?',
    replies: [
      { by: 'dev_raj', body: 'Yes: *Settings → Members → Invite*, then paste a comma-separated list of emails. You can also upload a CSV with `email,role` columns.', upvotes: ['maya', 'sofia', 'lea'] },
      { by: 'sofia', body: 'If you use Google Workspace you can also turn on domain sign-up so people join without an invite.' },
    ],
    upvotes: ['tomasz'], accept: 0,
  },
  {
    category: 'getting-started', kind: 'question', by: 'tomasz', ageHours: 650, tags: ['projects'],
    title: 'Difference between a project and a workspace?',
    body: 'The docs use both words. Which one should I create for each client I work with?',
    replies: [
      { by: 'lea', body: 'A workspace is your company (billing, members, SSO). Projects live inside it. One project per client is the usual setup, with guests invited only to their project.', upvotes: ['tomasz', 'kenji'] },
    ],
    accept: 0,
  },
  {
    category: 'getting-started', kind: 'question', by: 'priya', ageHours: 600, tags: ['onboarding', 'projects'],
    title: 'Can I copy a project as a template?',
    body: 'We run the same onboarding checklist for every new hire. I would like to duplicate a project with all its tasks and due dates shifted.',
    replies: [
      { by: 'kenji', body: 'Open the project menu (⋯) → *Save as template*. When you create a project from it you can pick a start date and all due dates move relative to it.', upvotes: ['priya', 'maya', 'amara', 'jonas'] },
      { by: 'priya', body: 'Perfect, that is exactly it. Thanks!' },
    ],
    accept: 0,
  },
  {
    category: 'getting-started', kind: 'question', by: 'jonas', ageHours: 500, tags: ['onboarding'],
    title: 'Keyboard shortcuts list?',
    body: 'Is there a cheat sheet of keyboard shortcuts somewhere in the app?',
    replies: [
      { by: 'amara', body: 'Press `?` anywhere in the web app and the full list pops up.', upvotes: ['jonas'] },
    ],
    accept: 0,
  },
  {
    category: 'getting-started', kind: 'question', by: 'amara', ageHours: 420, tags: ['invites'],
    title: 'Guest accounts see other projects?',
    body: 'I invited a contractor as a guest. Will they be able to see our internal projects, or only the one I shared?',
    replies: [
      { by: 'dev_raj', body: 'Guests only see projects they were explicitly added to. Members see every public project in the workspace.', upvotes: ['amara', 'lea'] },
      { by: 'alex_agent', body: 'Confirming what Raj said. You can double-check under *Members → Guests → Access*.' },
    ],
    accept: 0,
  },
  {
    category: 'getting-started', kind: 'question', by: 'lea', ageHours: 300, tags: ['projects'],
    title: 'Recurring tasks every first Monday of the month',
    body: 'I can set a task to repeat monthly, but I need it on the *first Monday*, not on a fixed date. Possible?',
    replies: [
      { by: 'sofia', body: 'In the repeat dialog choose *Custom* → *Monthly* → *on the first Monday*. It is a bit hidden.', upvotes: ['lea'] },
    ],
  },
  {
    category: 'getting-started', kind: 'question', by: 'kenji', ageHours: 120, tags: ['onboarding'],
    title: 'Dark mode on the web app?',
    body: 'My eyes would thank you. Is there a dark theme?',
    replies: [{ by: 'maya', body: 'Profile → Preferences → Appearance → Dark. It follows your OS setting by default.' }],
  },
  {
    category: 'getting-started', kind: 'question', by: 'jonas', ageHours: 30, tags: ['projects'],
    title: 'Archived project disappeared from search',
    body: 'I archived a project last week and now none of its tasks show up in search. Is the data gone? I need an old attachment from it.',
  },
  {
    category: 'getting-started', kind: 'question', by: 'priya', ageHours: 0.4, tags: ['invites'],
    title: 'Invite link expired for a new colleague',
    body: 'She clicked the link two days after I sent it and gets "expired". Can I resend it?',
  },
  {
    category: 'billing', kind: 'question', by: 'sofia', ageHours: 680, tags: ['invoices'],
    title: 'Where can I download past invoices?',
    body: 'Our accountant needs the PDFs for the last year.',
    replies: [
      { by: 'tomasz', body: 'Workspace settings → Billing → *Invoice history*. Each line has a PDF link; there is also "Download all" as a ZIP.', upvotes: ['sofia', 'maya'] },
    ],
    accept: 0,
  },
  {
    category: 'billing', kind: 'question', by: 'dev_raj', ageHours: 560, tags: ['plans'],
    title: 'Do guests count as paid seats?',
    body: 'We are on the Team plan. Do external guests use up seats?',
    replies: [
      { by: 'lea', body: 'No, guests are free up to 5 per paid seat. Past that ratio they are billed as members.', upvotes: ['dev_raj', 'kenji', 'amara'] },
    ],
    accept: 0,
  },
  {
    category: 'billing', kind: 'question', by: 'kenji', ageHours: 400, tags: ['sso'],
    title: 'SAML SSO with Okta: "audience mismatch" error',
    body: 'Following the guide, but after login Okta redirects back and Orbit says `audience mismatch`. What value should the Audience URI have?',
    replies: [
      { by: 'jonas', body: 'The Audience URI must be `https://app.orbit.example/saml/metadata/<workspace-id>` — with your workspace id, not the slug. That bit me too.', upvotes: ['kenji', 'priya', 'maya', 'dev_raj', 'sofia'] },
    ],
    accept: 0,
  },
  {
    category: 'billing', kind: 'question', by: 'maya', ageHours: 260, tags: ['plans'],
    title: 'Switching from monthly to yearly mid-cycle',
    body: 'If I switch now, do I lose the rest of this month or is it prorated?',
    replies: [
      { by: 'amara', body: 'It is prorated: the unused part of the month is credited against the yearly invoice.', upvotes: ['maya'] },
      { by: 'sam_super', body: 'That is right. The credit shows as a separate line on the new invoice.' },
    ],
    accept: 0,
  },
  {
    category: 'billing', kind: 'question', by: 'amara', ageHours: 150, tags: ['invoices'],
    title: 'VAT number not shown on invoice',
    body: 'I added our EU VAT number in billing settings but the latest invoice still has none. Do I need to do something else?',
    replies: [{ by: 'tomasz', body: 'It only applies to invoices issued after you add it. For older ones you may need to ask support to reissue.' }],
  },
  {
    category: 'billing', kind: 'question', by: 'jonas', ageHours: 26, tags: ['invoices'],
    title: 'Charged twice this month',
    body: 'Our card shows two identical charges on the 3rd. Only one invoice in the history. Please help, finance is asking.',
  },
  {
    category: 'billing', kind: 'question', by: 'lea', ageHours: 9, tags: ['sso', 'plans'],
    title: 'Is SCIM provisioning included in the Business plan?',
    body: 'We want to deprovision users automatically from Azure AD. The pricing page is not clear about SCIM.',
  },
  {
    category: 'integrations', kind: 'question', by: 'dev_raj', ageHours: 690, tags: ['api'],
    title: 'API rate limits for bulk task import',
    body: 'I am importing ~20k tasks through the REST API and getting `429` after a while. What are the limits and is there a bulk endpoint?',
    replies: [
      { by: 'kenji', body: 'The limit is 100 requests per minute per token. Use `POST /v2/tasks/batch` with up to 100 tasks per call, and respect the `Retry-After` header.', upvotes: ['dev_raj', 'jonas', 'priya'] },
      { by: 'dev_raj', body: 'Batch endpoint brought it down from an hour to two minutes. Thanks!' },
    ],
    accept: 0,
  },
  {
    category: 'integrations', kind: 'question', by: 'priya', ageHours: 610, tags: ['slack'],
    title: 'Slack notifications go to the wrong channel',
    body: 'I connected Slack and picked #design, but notifications for the Design project land in #general.',
    replies: [
      { by: 'sofia', body: 'The channel is set per project, not per workspace. Open the project → Integrations → Slack and pick the channel there.', upvotes: ['priya', 'lea'] },
    ],
    accept: 0,
  },
  {
    category: 'integrations', kind: 'question', by: 'tomasz', ageHours: 520, tags: ['webhooks'],
    title: 'How do I verify webhook signatures?',
    body: 'Webhooks arrive with an `X-Orbit-Signature` header. What is the algorithm?',
    replies: [
      { by: 'dev_raj', body: 'HMAC-SHA256 of the raw request body with your webhook secret, hex encoded. Compare with a constant-time comparison, and reject anything older than 5 minutes using `X-Orbit-Timestamp`.', upvotes: ['tomasz', 'kenji', 'jonas', 'amara'] },
    ],
    accept: 0,
  },
  {
    category: 'integrations', kind: 'question', by: 'amara', ageHours: 380, tags: ['zapier'],
    title: 'Zapier trigger for completed tasks only',
    body: 'The "Task updated" trigger fires for every change. I only want completed tasks.',
    replies: [
      { by: 'maya', body: 'Add a Filter step after the trigger: continue only if `status` exactly matches `done`.', upvotes: ['amara'] },
      { by: 'jonas', body: 'There is also a dedicated "Task completed" trigger in the newer version of the Zapier app — reconnect the app to see it.', upvotes: ['amara', 'maya'] },
    ],
    accept: 1,
  },
  {
    category: 'integrations', kind: 'question', by: 'kenji', ageHours: 210, tags: ['api'],
    title: 'Pagination in the tasks API skips items',
    body: 'Using `page=1,2,3…` while tasks are being created, I sometimes miss tasks. Is there a cursor?',
    replies: [
      { by: 'dev_raj', body: 'Use `cursor` instead of `page`: every response has `next_cursor`. Page numbers shift when rows are inserted, cursors do not.', upvotes: ['kenji', 'tomasz'] },
    ],
    accept: 0,
  },
  {
    category: 'integrations', kind: 'question', by: 'amara', ageHours: 330, tags: ['api'],
    title: 'Which API token should a CI job use?',
    body: 'Our nightly job creates tasks from failed test runs. Should it use my personal token?',
    replies: [
      { by: 'dev_raj', body: 'Create a *service account* under Settings → API and use its token: it survives people leaving, and its actions show as the service in the activity log.', upvotes: ['amara', 'jonas'] },
    ],
    accept: 0,
  },
  {
    category: 'integrations', kind: 'question', by: 'jonas', ageHours: 150, tags: ['api'],
    title: 'Custom fields missing from the tasks API response',
    body: 'GET /v2/tasks returns the standard fields but none of our custom fields. Is there a flag?',
    replies: [
      { by: 'dev_raj', body: 'Add `?include=custom_fields` — they are left out by default to keep responses small.', upvotes: ['jonas', 'priya', 'kenji'] },
      { by: 'tomasz', body: 'Same question last month, the include parameter fixed it for us.' },
    ],
    accept: 0,
  },
  {
    category: 'mobile', kind: 'question', by: 'sofia', ageHours: 300, tags: ['android'],
    title: 'Android app drains the battery overnight',
    body: 'Since last week Orbit uses 20% battery overnight on my Pixel. Anyone else?',
    replies: [
      { by: 'priya', body: 'Turn off *Sync → Real-time* for archived projects: the app keeps a socket open per project. Battery use went back to normal for me.', upvotes: ['sofia', 'lea'] },
    ],
    accept: 0,
  },
  {
    category: 'mobile', kind: 'question', by: 'tomasz', ageHours: 170, tags: ['android'],
    title: 'Files from the Android share sheet arrive empty',
    body: 'Sharing a PDF to Orbit from Files creates an attachment of 0 bytes.',
    replies: [
      { by: 'priya', body: 'Give Orbit the *Files and media* permission: without it Android hands over an empty stream. Settings → Apps → Orbit → Permissions.', upvotes: ['tomasz'] },
    ],
    accept: 0,
  },
  {
    category: 'integrations', kind: 'question', by: 'sofia', ageHours: 100, tags: ['webhooks'],
    title: 'Webhook retries: how many and for how long?',
    body: 'Our endpoint was down for an hour. Will the missed events be redelivered?',
    replies: [{ by: 'tomasz', body: 'I believe they retry with backoff for 24 hours, but I could not find it documented.' }],
  },
  {
    category: 'integrations', kind: 'question', by: 'maya', ageHours: 50, tags: ['slack'],
    title: 'Slack app asks for permissions again every week',
    body: 'Every Monday the Slack integration is disconnected and I need to re-authorise. Anyone else?',
  },
  {
    category: 'integrations', kind: 'question', by: 'jonas', ageHours: 14, tags: ['api', 'webhooks'],
    title: 'OAuth token refresh returns invalid_grant',
    body: 'Refreshing an access token with the refresh token fails with `invalid_grant` after exactly 30 days. Do refresh tokens expire?',
  },
  {
    category: 'integrations', kind: 'question', by: 'amara', ageHours: 1, tags: ['zapier'],
    title: 'Zapier: create task with custom fields',
    body: 'The "Create task" action does not list our custom fields. Is that supported?',
  },
  {
    category: 'mobile', kind: 'question', by: 'lea', ageHours: 640, tags: ['ios'],
    title: 'iOS widget not updating',
    body: 'The "Today" widget on my home screen still shows tasks from yesterday.',
    replies: [
      { by: 'kenji', body: 'Check Settings → Orbit → Background App Refresh. The widget relies on it; Low Power Mode also pauses it.', upvotes: ['lea', 'priya'] },
    ],
    accept: 0,
  },
  {
    category: 'mobile', kind: 'question', by: 'dev_raj', ageHours: 480, tags: ['android', 'notifications'],
    title: 'No push notifications on Android 14',
    body: 'Since updating to Android 14 I get no notifications at all from Orbit.',
    replies: [
      { by: 'priya', body: 'Android 14 resets the notification permission for some apps after an update. Settings → Apps → Orbit → Notifications → Allow.', upvotes: ['dev_raj', 'maya', 'sofia'] },
    ],
    accept: 0,
  },
  {
    category: 'mobile', kind: 'question', by: 'sofia', ageHours: 330, tags: ['ios', 'android'],
    title: 'Offline mode: do edits sync later?',
    body: 'I travel a lot. If I edit tasks on a plane, will they sync when I land?',
    replies: [
      { by: 'jonas', body: 'Yes. Edits are queued and synced in order. If someone else changed the same field meanwhile, you get a conflict banner to pick a version.', upvotes: ['sofia'] },
    ],
    accept: 0,
  },
  {
    category: 'mobile', kind: 'question', by: 'tomasz', ageHours: 180, tags: ['notifications'],
    title: 'Mute notifications outside working hours',
    body: 'Can I stop notifications on weekends without turning them off completely?',
    replies: [{ by: 'amara', body: 'Profile → Notifications → *Schedule*. You can set working hours per weekday.', upvotes: ['tomasz'] }],
  },
  {
    category: 'mobile', kind: 'question', by: 'priya', ageHours: 40, tags: ['android'],
    title: 'App crashes when opening attachments',
    body: 'On a Pixel 7, tapping a PDF attachment closes the app immediately. Version 5.12.0.',
  },
  {
    category: 'mobile', kind: 'question', by: 'kenji', ageHours: 20, tags: ['ios'],
    title: 'Face ID lock option?',
    body: 'Our security team wants the mobile app locked behind Face ID. Is there a setting for that?',
  },
  {
    category: 'ideas', kind: 'discussion', by: 'maya', ageHours: 620, tags: ['feature-request'],
    title: 'Gantt view for project timelines',
    body: 'A Gantt chart with dependencies would let us drop our separate planning tool. Who else needs this?',
    replies: [
      { by: 'tomasz', body: '+1, dependencies are the key part for us.', upvotes: ['maya'] },
      { by: 'lea', body: 'Same here. Critical path highlighting would be a bonus.' },
      { by: 'sam_super', body: 'Thanks all — this is on the roadmap review list for next quarter.' },
    ],
    upvotes: ['tomasz', 'lea', 'kenji', 'amara', 'jonas', 'priya'],
  },
  {
    category: 'ideas', kind: 'discussion', by: 'jonas', ageHours: 450, tags: ['ux'],
    title: 'Let me collapse completed subtasks',
    body: 'Long checklists become hard to read. A toggle to hide done subtasks would help a lot.',
    replies: [{ by: 'sofia', body: 'Yes please. Even remembering the collapsed state per task would be enough.' }],
    upvotes: ['sofia', 'maya'],
  },
  {
    category: 'ideas', kind: 'discussion', by: 'dev_raj', ageHours: 270, tags: ['feature-request'],
    title: 'Webhooks for comment reactions',
    body: 'We track acknowledgements through emoji reactions. Webhooks for reactions would let us automate it.',
    upvotes: ['kenji'],
  },
  {
    category: 'ideas', kind: 'discussion', by: 'amara', ageHours: 160, tags: ['ux'],
    title: 'Bigger click targets in the board view',
    body: 'The drag handles on cards are tiny on a touch laptop. Could the whole card be draggable?',
    replies: [
      { by: 'priya', body: 'Agreed — and keyboard moving (alt + arrows) would help accessibility too.', upvotes: ['amara', 'lea'] },
    ],
    upvotes: ['priya', 'lea', 'jonas'],
  },
  {
    category: 'ideas', kind: 'discussion', by: 'lea', ageHours: 70, tags: ['feature-request'],
    title: 'Time tracking built in',
    body: 'We bill clients by the hour. A start/stop timer on tasks with a weekly report would be great.',
    upvotes: ['maya', 'sofia'],
  },
  {
    category: 'ideas', kind: 'discussion', by: 'kenji', ageHours: 36, tags: ['ux'],
    title: 'Command palette for everything',
    body: 'Cmd+K opens search, but I would love it to run actions too: "assign to me", "move to done", "new project".',
  },
  {
    category: 'getting-started', kind: 'question', by: 'sofia', ageHours: 90, tags: ['projects'],
    title: 'Move tasks between projects without losing comments',
    body: 'If I move a task to another project, do comments and attachments come along?',
    replies: [{ by: 'kenji', body: 'They do. Only project-specific custom fields are dropped if the target project does not have them.', upvotes: ['sofia'] }],
    accept: 0,
  },
  {
    category: 'billing', kind: 'question', by: 'priya', ageHours: 60, tags: ['plans'],
    title: 'Nonprofit discount?',
    body: 'We are a registered charity. Is there a discount for nonprofits?',
    replies: [{ by: 'maya', body: 'I got 50% off by emailing sales with our registration certificate.' }],
  },
  {
    category: 'mobile', kind: 'question', by: 'jonas', ageHours: 5, tags: ['notifications', 'ios'],
    title: 'Duplicate notifications on iPhone and Apple Watch',
    body: 'Every mention buzzes twice on the watch. Is there a way to get just one?',
  },
];
