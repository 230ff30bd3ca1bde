"""Exit statuses shared by every `soleus-screen` subcommand (sysexits.h where one fits)."""

EXIT_OK = 0
EXIT_INVALID = 1  # the input was read but (some of) it is invalid
EXIT_UNUSABLE = 2  # the input cannot be used at all, or bad usage
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: the database cannot be reached
EXIT_SOFTWARE = 70  # an internal error (EX_SOFTWARE)
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM
