"""The application around the procedure: persistence, audit trail, commands and the CLI."""

from notifications.templates import use_templates
from workflow.resources import templates_dir

# The mail side renders templates it does not ship: it is told where they are as the
# application loads (a function, so nothing is looked up until the first mail or document).
use_templates(templates_dir)
