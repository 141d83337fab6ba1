import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { teams } from '@forum/core';
import { DateTime, errorResponses, Id, IdParams, Nullable, UserRef } from '@forum/forum/server/http/schemas';

// Teams (calendars, categories, automatic assignment) and agents' working settings. Staff read
// them; supervisors and admins change them; an agent may set only their own on-duty status.

const HoursRange = Type.Tuple([Type.String({ maxLength: 5 }), Type.String({ maxLength: 5 })], { description: '[start, end) local time, HH:MM (end may be 24:00)' });
const DayHours = Type.Array(HoursRange, { maxItems: 6 });
const WeeklyHours = Type.Object(
  {
    mon: Type.Optional(DayHours),
    tue: Type.Optional(DayHours),
    wed: Type.Optional(DayHours),
    thu: Type.Optional(DayHours),
    fri: Type.Optional(DayHours),
    sat: Type.Optional(DayHours),
    sun: Type.Optional(DayHours),
  },
  { additionalProperties: false, description: 'opening hours per weekday in the team’s time zone; null: 24/7' },
);
const Holidays = Type.Array(Type.String({ maxLength: 10 }), { maxItems: 366, description: 'ISO dates (YYYY-MM-DD) the team is closed' });
const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' });
const Name = Type.String({ minLength: 1, maxLength: 80 });

const Team = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  hours: Nullable(WeeklyHours),
  holidays: Type.Array(Type.String()),
  autoAssign: Type.Boolean(),
  categories: Type.Array(Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() })),
  agentCount: Type.Integer(),
  onDutyCount: Type.Integer(),
});

const Agent = Type.Object({
  user: UserRef,
  team: Nullable(Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() })),
  onDuty: Type.Boolean(),
  capacity: Type.Integer(),
  skills: Type.Array(Type.String()),
  lastAssignedAt: Nullable(DateTime),
  openItems: Type.Integer(),
});

const TeamOut = Type.Object({ team: Team });
const AgentOut = Type.Object({ agent: Agent });

export const teamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/teams',
    { schema: { tags: ['teams'], summary: 'Teams with their calendars, categories and agent counts', response: { 200: Type.Object({ teams: Type.Array(Team) }), ...errorResponses } } },
    async (request) => teams.listTeams(request.ctx),
  );

  app.post(
    '/teams',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['teams'],
        summary: 'Create a team (supervisors and admins); 400 with fields for a bad calendar, 409 team_slug_taken',
        body: Type.Object(
          {
            slug: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            name: Name,
            timezone: Type.Optional(TimeZone),
            hours: Type.Optional(Nullable(WeeklyHours)),
            holidays: Type.Optional(Holidays),
            autoAssign: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: TeamOut, ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send({ team: await teams.createTeam(request.ctx, request.body) }),
  );

  app.patch(
    '/teams/:id',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['teams'],
        summary: 'Change a team’s name, calendar or automatic assignment (supervisors and admins); open items keep their due times',
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(Name), timezone: Type.Optional(TimeZone), hours: Type.Optional(Nullable(WeeklyHours)), holidays: Type.Optional(Holidays), autoAssign: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: TeamOut, ...errorResponses },
      },
    },
    async (request) => ({ team: await teams.updateTeam(request.ctx, request.params.id, request.body) }),
  );

  app.put(
    '/teams/:id/categories',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['teams'],
        summary: 'Put exactly these categories in the team (others leave it; categories of other teams move)',
        params: IdParams,
        body: Type.Object({ categoryIds: Type.Array(Id, { maxItems: 200 }) }, { additionalProperties: false }),
        response: { 200: TeamOut, ...errorResponses },
      },
    },
    async (request) => ({ team: await teams.setTeamCategories(request.ctx, request.params.id, request.body) }),
  );

  app.get(
    '/agents',
    { schema: { tags: ['teams'], summary: 'Staff with their team, on-duty status, capacity, skills and open items', response: { 200: Type.Object({ agents: Type.Array(Agent) }), ...errorResponses } } },
    async (request) => teams.listAgents(request.ctx),
  );

  app.patch(
    '/agents/:id',
    {
      schema: {
        tags: ['teams'],
        summary: 'Change an agent’s team, capacity (1–50), skills (≤ 30 lower-case words) or on-duty status; agents may only set their own on-duty status',
        params: IdParams,
        body: Type.Object(
          {
            teamId: Type.Optional(Nullable(Id)),
            capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
            skills: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 30 })),
            onDuty: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: AgentOut, ...errorResponses },
      },
    },
    async (request) => ({ agent: await teams.updateAgent(request.ctx, request.params.id, request.body) }),
  );
};
