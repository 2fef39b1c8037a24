from publisher.cli import cli

cli()
