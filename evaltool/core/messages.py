"""The one place where library and Python errors become words a clerk reads: PyYAML's problems with
their line and column, and exception classes or library messages, all in Chinese — never an English
name in brackets. Pure: only the standard library."""
from __future__ import annotations

import re
from typing import Any

# PyYAML's problem texts (stable across versions) -> what to look for, in Chinese.
YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"expected ',' or '\]'", "方括号 [ ] 里的列表没有结束：缺少逗号“,”或右方括号“]”"),
    (r"expected ',' or '\}'", "花括号 { } 里的内容没有结束：缺少逗号“,”或右花括号“}”"),
    (r"mapping values are not allowed", "这里不能出现冒号“:”；值里含有冒号时，请给整个值加上引号"),
    (r"could not find expected ':'", "缺少冒号“:”，应写成“键: 值”（冒号后留一个空格）"),
    (r"found character '\\t'", "含有制表符（Tab 键），YAML 只能用空格缩进"),
    (r"found unexpected end of stream|found unexpected end", "引号没有成对：缺少结尾的引号"),
    (r"found unknown escape character", "双引号里的反斜杠“\\”后跟了无法识别的字符；路径请改用单引号"),
    (r"expected <block end>", "缩进不一致：同一层的键应对齐，用空格而不是 Tab"),
    (r"expected <document start>|expected a single document", "文件里出现了第二份文档（“---”），一个文件只能有一份"),
    (r"found undefined alias", "使用了未定义的别名（*名称）"),
    (r"found duplicate anchor", "锚点（&名称）重复"),
    (r"cannot start any token", "含有不能放在值开头的字符（如 @、`、%），请给整个值加上引号"),
    (r"unacceptable character|special characters are not allowed", "含有不可打印的控制字符，请删除"),
    (r"did not find expected key", "缩进或列表符号“-”的位置不对，这一行没有对齐到应有的键"),
    (r"did not find expected '-' indicator", "列表项应以“- ”开头并对齐"),
    (r"did not find expected node content", "这里缺少内容（例如“-”或“:”后什么也没有写）"),
    (r"did not find expected", "格式不完整：缺少应有的符号"),
    (r"could not determine a constructor", "含有无法识别的标签（!开头的写法）"),
)


def yaml_problem(exc: Any) -> str:
    """'第 N 行第 M 列：<what is wrong>' for a PyYAML error (line and column from its mark)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or "")
    what = next((zh for pattern, zh in YAML_PROBLEMS if re.search(pattern, problem)), "格式错误")
    if mark is None:
        return what
    return f"第 {mark.line + 1} 行第 {mark.column + 1} 列：{what}"


# Exception classes and library messages -> a Chinese description (what happened, not the class).
EXCEPTION_TEXT: dict[str, str] = {
    "IndexError": "表格里缺少应有的行或列",
    "KeyError": "文件里缺少应有的部分",
    "ValueError": "某个值无法识别",
    "TypeError": "某个值的类型不对",
    "AttributeError": "文件结构与 Excel 工作簿不符",
    "ZeroDivisionError": "计算时除数为 0",
    "BadZipFile": "压缩结构已损坏",
    "LargeZipFile": "压缩包过大",
    "UnicodeDecodeError": "文字编码无法识别",
    "UnicodeEncodeError": "文字中含有无法保存的字符",
    "ParseError": "XML 内容已损坏",
    "XMLSyntaxError": "XML 内容已损坏",
    "ExpatError": "XML 内容已损坏",
    "MemoryError": "内存不足",
    "RecursionError": "内容嵌套过深",
    "PermissionError": "没有访问权限",
    "FileNotFoundError": "找不到文件",
    "IsADirectoryError": "这是一个文件夹",
    "TimeoutError": "等待超时",
    "OSError": "读写文件时出错",
    "EOFError": "文件不完整（提前结束）",
    "OverflowError": "数值过大",
    "InvalidFileException": "不是 openpyxl 能打开的 Excel 文件",
    "CalamineError": "工作簿内容无法读取",
    "PasswordError": "文件设置了打开密码",
    "DefusedXmlException": "文件中含有不安全的 XML 结构",
    "EntitiesForbidden": "文件中含有不安全的 XML 结构",
    "DTDForbidden": "文件中含有不安全的 XML 结构",
}
LIBRARY_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Cannot detect file format", "无法识别的文件格式"),
    (r"[Ii]nvalid zip|[Bb]ad zip|not a zip file|File is not a zip", "压缩结构已损坏"),
    (r"[Pp]assword|[Ee]ncrypt", "文件设置了打开密码"),
    (r"[Uu]nexpected end|EOF|truncated", "文件不完整（提前结束）"),
    (r"[Xx]ml|XML", "XML 内容已损坏"),
    (r"[Nn]o such file", "找不到文件"),
)


def exception_text(exc: BaseException) -> str:
    """A Chinese description of an exception for a message's parentheses."""
    message = str(exc)
    for pattern, zh in LIBRARY_MESSAGES:
        if re.search(pattern, message):
            return zh
    for cls in type(exc).__mro__:
        if cls.__name__ in EXCEPTION_TEXT:
            return EXCEPTION_TEXT[cls.__name__]
    return "未预料的错误"


__all__ = ["yaml_problem", "exception_text", "YAML_PROBLEMS", "EXCEPTION_TEXT"]
