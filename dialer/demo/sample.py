"""The demo's sample call lists: about twenty customers whose simulated behaviour differs."""

from __future__ import annotations

import csv
from pathlib import Path

# (name, phone, gender, event date, department, seller); the phone picks the persona in demo_personas.toml.
CALL_LISTS: dict[str, list[tuple[str, str, str, str, str, str]]] = {
    "new_policy": [
        ("张伟", "+8613900000001", "男", "2026-11-18", "个险部", "李强"),
        ("王芳", "+8613900000002", "女", "2026-11-18", "个险部", "李强"),
        ("李娜", "+8613900000003", "女", "2026-11-19", "银保部", "赵敏"),
        ("刘洋", "+8613900000004", "男", "2026-11-19", "个险部", "李强"),
        ("陈静", "+8613900000007", "女", "2026-11-19", "银保部", "赵敏"),
        ("杨磊", "+8613900000008", "男", "2026-11-20", "个险部", "周杰"),
        ("黄丽", "+8613900000009", "女", "2026-11-20", "个险部", "周杰"),
        ("赵军", "+8613900000010", "男", "2026-11-20", "银保部", "赵敏"),
        ("周敏", "+8613900000011", "女", "2026-11-20", "个险部", "李强"),
        ("吴涛", "+8613900000012", "男", "2026-11-21", "个险部", "周杰"),
        ("徐静", "+8613900000013", "女", "2026-11-21", "银保部", "赵敏"),
        ("孙明", "+8613900000014", "男", "2026-11-21", "个险部", "李强"),
    ],
    "claim": [
        ("马超", "+8613900000005", "男", "2026-11-21", "理赔部", "钱进"),
        ("朱红", "+8613900000006", "女", "2026-11-21", "理赔部", "钱进"),
        ("胡斌", "+8613900000015", "男", "2026-11-21", "理赔部", "钱进"),
        ("郭琳", "+8613900000016", "女", "2026-11-22", "理赔部", "孙悦"),
        ("何平", "+8613900000017", "男", "2026-11-22", "理赔部", "孙悦"),
        ("高燕", "+8613900000018", "女", "2026-11-22", "理赔部", "孙悦"),
        ("林峰", "+8613900000019", "男", "2026-11-22", "理赔部", "钱进"),
        ("罗兰", "+8613900000020", "女", "2026-11-22", "理赔部", "孙悦"),
    ],
}


def write_call_list(path: Path, rows: list[tuple[str, str, str, str, str, str]], date_column: str) -> Path:
    """Write a list the way an office system exports it: GBK CSV with Chinese headers."""
    with path.open("w", encoding="gbk", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["姓名", "手机", "性别", date_column, "部门", "业务员"])
        for name, phone, gender, day, dept, seller in rows:
            out.writerow([name, phone.removeprefix("+86"), gender, day, dept, seller])
    return path
