from field.cli import main

raise SystemExit(main())
