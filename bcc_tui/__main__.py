from bcc_tui.cli import main

raise SystemExit(main())
