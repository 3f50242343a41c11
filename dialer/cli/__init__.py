"""The `dialer` console script: one click group, commands registered room by room."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from dialer.cli.chinese import install, localise
from dialer.errors import DialerError
from dialer.settings import Settings, load_settings

if TYPE_CHECKING:
    from dialer.model import Database
    from dialer.policy.rules import TaskTypeRules

# Each module defines `register(group)`; keep the list in the order `dialer --help` shows.
COMMAND_MODULES = (
    "dialer.cli.data",
    "dialer.cli.batches",
    "dialer.cli.scheduler",
    "dialer.cli.emulator",
    "dialer.cli.ear",
    "dialer.cli.speech",
    "dialer.cli.scripts",
    "dialer.cli.console",
    "dialer.cli.demo",
    "dialer.cli.report",
    "dialer.cli.quality",
    "dialer.cli.recordings",
)


class Context:
    """What every command receives: settings read once, on first use."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._db: Database | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    def database(self) -> Database:
        """Open the configured database (once per command)."""
        if self._db is None:
            from dialer.model import open_database

            self._db = open_database(self.settings.database_url, audit_key=self.settings.audit_key)
        return self._db

    def close(self) -> None:
        """Release the database connections this command opened."""
        if self._db is not None:
            self._db.dispose()
            self._db = None

    def task_types(self) -> dict[str, TaskTypeRules]:
        from dialer.tasktypes import load_task_types

        return load_task_types(self.settings.config_dir)


install()  # before any command is declared: --version takes its help when it is
pass_ctx = click.make_pass_decorator(Context, ensure=True)


class DialerGroup(click.Group):
    """A group that turns our errors into a plain "错误：..." and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DialerError as exc:
            raise click.ClickException(str(exc)) from exc
        except (OperationalError, ProgrammingError) as exc:
            raise click.ClickException(
                f"数据库出错：{exc.orig}。如果数据库是新建的或刚升级过版本，请先运行 dialer init。"
            ) from exc


@click.group(cls=DialerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dialer")
@click.pass_context
def main(ctx: click.Context) -> None:
    """自动回访：导入回访名单，在允许的时段内自动拨打，按话术提问并记录回答。

    每个命令后加 -h 查看它的说明，例如 dialer import -h。
    """
    ctx.obj = Context()
    ctx.call_on_close(ctx.obj.close)


def run() -> None:
    """Run the console script."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    main()


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(main)
localise(main)
