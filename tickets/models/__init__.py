"""Work orders (counter: install, move, removal…, dispatch and return) and the call desk
(faults, complaints, cases). Two workflows, one app: each has its own module."""

from tickets.models.calldesk import *  # noqa: F403
from tickets.models.entry_errors import *  # noqa: F403
from tickets.models.workorders import *  # noqa: F403
