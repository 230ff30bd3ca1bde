"""`python -m api.commands` runs the `soleus-screen` command line."""

import sys

from api.commands import main

sys.exit(main())
