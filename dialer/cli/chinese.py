"""Click's own words in Chinese: usage lines, headings, errors and the help of -h/--help and --version.

Click asks gettext for every word it prints (`_("Usage:")`, `_("Missing option")` …). `install()` gives its
modules a translator that answers from the table below, so `dialer` speaks Chinese whatever the machine's locale;
`localise(group)` puts Chinese placeholders in the usage lines of every command under `group`.
"""

from __future__ import annotations

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types
import click.utils

# Click's message ids, as its source writes them, with their Chinese; placeholders are kept as they are.
WORDS = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本说明并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Aborted!": "已取消。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 '{command} {option}' 查看说明。",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有 {name!r} 这个命令。",
    "No such option {name!r}.": "没有 {name!r} 这个选项。",
    "Did you mean {possibility}?": "您是不是要用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（您是不是要用其中之一：{possibilities}？）",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "Invalid value: {message}": "取值不对：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值不对：{message}",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Got unexpected extra argument ({args})": "多出了参数 '{args}'，请去掉或检查拼写",
    "Got unexpected extra arguments ({args})": "多出了参数 '{args}'，请去掉或检查拼写",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带取值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面要写一个取值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面要写 {nargs} 个取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 要写 {nargs} 个取值。",
    "Takes {nargs} values but 1 was given.": "要写 {nargs} 个取值，只写了 1 个。",
    "Takes {nargs} values but {len} were given.": "要写 {nargs} 个取值，写了 {len} 个。",
    "Value must be an iterable.": "取值必须是一组值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选范围内，请从 {choices} 中选一个。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合以下任一格式：{formats}。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字，请写阿拉伯数字。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是是/否值，可写：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在，请检查路径。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，这里要写文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，这里要写文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 没有读取权限。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 没有写入权限。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 没有执行权限。",
    "{len_type} values are required, but {len_value} was given.": "要写 {len_type} 个取值，写了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.": "要写 {len_type} 个取值，写了 {len_value} 个。",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "(dynamic)": "（运行时决定）",
    "deprecated": "已停用",
    "Repeat for confirmation": "请再输入一次确认",
    "Error: The two entered values do not match.": "错误：两次输入的不一致。",
    "Error: invalid input": "错误：输入无效",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不再询问，直接执行。",
    "Press any key to continue...": "按任意键继续……",
}
# The kind of value an option takes, as its placeholder in the usage line (click's own are English type names).
PLACEHOLDERS = {
    "text": "文本",
    "integer": "整数",
    "integer range": "整数",
    "float": "数字",
    "float range": "数字",
    "path": "路径",
    "filename": "文件",
    "datetime": "日期时间",
    "boolean": "是否",
}
MODULES = (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
           click.types, click.utils)  # fmt: skip


def gettext(message: str) -> str:
    """Return click's `message` in Chinese (as it is when the table has no entry)."""
    return WORDS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form of click's message in Chinese."""
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Make click print its own words in Chinese."""
    for module in MODULES:
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


def localise(command: click.Command) -> None:
    """Give `command` and every command under it Chinese placeholders in their usage lines."""
    command.options_metavar = "[选项]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "命令 [参数]..."
        for sub in command.commands.values():
            localise(sub)
    for param in command.params:
        if isinstance(param, click.Option) and param.metavar is None and not param.is_flag:
            word = PLACEHOLDERS.get(param.type.name)
            if word:
                param.metavar = word
