"""Fresh DataLoaders for each request, all scoped to the caller's tenant."""

import uuid
from functools import partial

from strawberry.dataloader import DataLoader

from app.auth import loaders as auth
from app.boards import loaders as boards
from app.cases import loaders as cases
from app.comments import loaders as comments
from app.connectors import loaders as connectors
from app.kit.db import Database
from app.knowledge import loaders as knowledge
from app.referrals import loaders as referrals
from app.tickets import loaders as tickets


class Loaders:
    def __init__(self, db: Database, tenant_id: uuid.UUID, *, sees_internal: bool) -> None:
        # Internal notes are left out at the query for callers who may not read them, so no
        # resolver (a ticket's comments, `node(id)`) can hand one out by mistake.
        self.user = DataLoader(partial(auth.users, db, tenant_id))
        self.board = DataLoader(partial(boards.boards, db, tenant_id))
        self.ticket = DataLoader(partial(tickets.tickets, db, tenant_id))
        self.timeline = DataLoader(partial(tickets.timelines, db, tenant_id))
        self.comments = DataLoader(
            partial(comments.comments_by_ticket, db, tenant_id, include_internal=sees_internal)
        )
        self.comment = DataLoader(
            partial(comments.comments, db, tenant_id, include_internal=sees_internal)
        )
        self.connector = DataLoader(partial(connectors.connectors, db, tenant_id))
        self.inbound_mapping = DataLoader(partial(connectors.mappings, db, tenant_id))
        self.outbound_action = DataLoader(partial(connectors.actions, db, tenant_id))
        self.connector_mappings = DataLoader(
            partial(connectors.mappings_by_connector, db, tenant_id)
        )
        self.connector_actions = DataLoader(partial(connectors.actions_by_connector, db, tenant_id))
        self.connector_counts = DataLoader(partial(connectors.counts, db, tenant_id))
        self.connector_secrets = DataLoader(partial(connectors.secrets_by_connector, db, tenant_id))
        self.safety_case = DataLoader(partial(cases.cases, db, tenant_id))
        self.case_tickets = DataLoader(partial(cases.tickets, db, tenant_id))
        self.case_timeline = DataLoader(partial(cases.timelines, db, tenant_id))
        self.case_referrals = DataLoader(partial(cases.referrals, db, tenant_id))
        self.knowledge_revisions = DataLoader(partial(knowledge.revisions, db, tenant_id))
        self.referral_evidence_counts = DataLoader(
            partial(referrals.evidence_counts, db, tenant_id)
        )
