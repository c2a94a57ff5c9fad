import strawberry

from app.boards import service
from app.boards.repository import BoardRepository
from app.boards.types import BoardType, CreateBoardInput, CreateBoardPayload
from app.graphql.context import Info
from app.graphql.permissions import IsAdmin, IsAuthenticated
from app.graphql.reads import every_row
from app.kit.ids import expect_global_id


@strawberry.type
class BoardQueries:
    @strawberry.field(permission_classes=[IsAuthenticated], description="All boards, by name.")
    async def boards(self, info: Info) -> list[BoardType]:
        return await every_row(info, BoardRepository, BoardType.from_row)

    @strawberry.field(permission_classes=[IsAuthenticated], description="One board by global id.")
    async def board(self, info: Info, id: strawberry.ID) -> BoardType | None:
        row = await info.context.loaders.board.load(expect_global_id(id, "Board"))
        return BoardType.from_row(row) if row else None


@strawberry.type
class BoardMutations:
    @strawberry.mutation(permission_classes=[IsAdmin], description="Create a board.")
    async def create_board(self, info: Info, input: CreateBoardInput) -> CreateBoardPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            board = await service.create_board(
                work.session, principal, name=input.name, description=input.description
            )
        return CreateBoardPayload(board=BoardType.from_row(board))
