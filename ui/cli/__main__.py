from ui.cli.app import main

main()
