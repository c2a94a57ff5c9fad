from app.graphql.batches import Batching, grouped_by
from app.kit.batching import by_id
from app.tickets.repository import TicketRepository

_tickets = Batching(TicketRepository)

tickets = _tickets.batch(lambda repository, keys: repository.by_ids(keys), by_id)
timelines = _tickets.batch(
    lambda repository, keys: repository.timelines(keys), grouped_by("ticket_id")
)
