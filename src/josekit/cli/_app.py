"""The ``josekit`` command group: global options, error handling and exit codes."""

from __future__ import annotations

import errno
import logging
from typing import Any

import click

from .. import __version__
from ..errors import JoseError
from ._common import EXIT_INPUT, CliFailure, failure_from, json_option
from ._failures import EXIT_CODES

__all__ = ["JosekitGroup", "cli"]

_EPILOG = """\b
Keys come from a file, from env:NAME (an environment variable) or from -
(stdin); shared secrets (--secret) from env:NAME, @FILE or -, never the
command line; tokens and payloads from an argument, @FILE or - (stdin).

\b
Examples:
  josekit key generate --kty EC --crv P-256 --kid k1 -o k1.jwk --public-out k1.pub.jwk
  echo -n hello | josekit jws sign --key k1.jwk --alg ES256 - > token.txt
  josekit jws verify @token.txt --key k1.pub.jwk --alg ES256
  josekit jwt encode --key k1.jwk --alg ES256 --sub alice --exp-in 15m > jwt.txt
  josekit jwt decode @jwt.txt --key k1.pub.jwk --alg ES256 --require exp
  josekit jwt decode "$TOKEN" --secret env:JWT_SECRET --alg HS256
  josekit inspect @token.txt
"""


class JosekitGroup(click.Group):
    """A group that turns every library, file and value error into a one-line message.

    :class:`~josekit.errors.JoseError` becomes exit status 1 when a token was rejected, 3
    when a remote resource could not be fetched and 2 for bad input; ``OSError``,
    ``ValueError`` and ``ArithmeticError`` (a number out of range) become exit status 2,
    and so does any other exception, as a one-line error. No traceback is ever printed.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse the group's own options; a usage error there is one line too."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand, mapping exceptions to :class:`CliFailure`."""
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except JoseError as exc:
            raise failure_from(exc) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            detail = exc.strerror or str(exc)
            where = f": {exc.filename}" if exc.filename else ""
            raise CliFailure(f"{detail}{where}", EXIT_INPUT, type(exc).__name__) from None
        except (ValueError, ArithmeticError) as exc:
            message = str(exc) or type(exc).__name__
            raise CliFailure(message, EXIT_INPUT, type(exc).__name__) from None
        except RecursionError:
            raise CliFailure(
                "the input is nested too deeply", EXIT_INPUT, "RecursionError"
            ) from None
        except Exception as exc:  # the command line never shows a traceback
            detail = str(exc).splitlines()[0] if str(exc) else ""
            raise CliFailure(
                f"unexpected {type(exc).__name__}{': ' + detail if detail else ''} "
                "(this is a bug in josekit: please report it with the command you ran)",
                EXIT_INPUT,
                type(exc).__name__,
            ) from None


def _one_line(exc: click.UsageError) -> click.ClickException:
    """A usage error as one line naming the problem and where to read the usage."""
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        return exc  # a bare 'josekit key' shows the help, as click does
    path = exc.ctx.command_path if exc.ctx is not None else "josekit"
    return CliFailure(f"{exc.format_message()} (see '{path} --help')", EXIT_INPUT)


def _set_color(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    ctx.meta["josekit.color"] = value
    return value


@click.group(
    cls=JosekitGroup,
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="josekit")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    expose_value=False,
    is_eager=True,
    callback=_set_color,
    help="Colour and tables: 'auto' uses them only when stdout is a terminal (and NO_COLOR "
    "is unset).",
)
@json_option
def cli() -> None:
    """Keys, signatures, encryption and tokens (JOSE: JWK, JWS, JWE, JWT) from the shell."""
    # Each failure is reported once, as the command's one-line error; library log records
    # (e.g. a failed JWK Set fetch) would only repeat it.
    logger = logging.getLogger("josekit")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


EXIT_STATUS_HELP = "\b\nExit status:\n" + "\n".join(
    f"  {code if code >= 0 else ' '}  {meaning}" for code, meaning in EXIT_CODES
)
"""The exit-status table that ends every command's ``--help``."""


def _add_exit_status(command: click.Command) -> None:
    """Append the exit-status table to the help of ``command`` and of all its subcommands."""
    epilog = (command.epilog or "").rstrip()
    if EXIT_STATUS_HELP not in epilog:
        command.epilog = f"{epilog}\n\n{EXIT_STATUS_HELP}" if epilog else EXIT_STATUS_HELP
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_exit_status(sub)


def _register() -> None:
    from ._inspect import inspect_command
    from ._jwe_cmds import jwe_group
    from ._jwks_cmds import jwks_group
    from ._jws_cmds import jws_group
    from ._jwt_cmds import jwt_group
    from ._key_cmds import key_group

    cli.add_command(key_group)
    cli.add_command(jws_group)
    cli.add_command(jwe_group)
    cli.add_command(jwt_group)
    cli.add_command(jwks_group)
    cli.add_command(inspect_command)
    _add_exit_status(cli)


_register()
