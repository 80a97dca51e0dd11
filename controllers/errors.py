"""The one exception type for bad user input, shared by every floor.

The CLI turns it into exit status 2 and a one-line message; the UI shows it as a message.
"""


class InputError(ValueError):
    """User input is malformed or out of range; the message names it and what is accepted."""
