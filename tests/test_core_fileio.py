import os

import pytest

from evaltool.core.errors import InputError
from evaltool.core.fileio import atomic_path, atomic_write_bytes


def test_failed_write_leaves_original_whole_and_no_temp(tmp_path):
    target = tmp_path / "自评表.xlsx"
    target.write_bytes(b"original")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("disk pulled")
    assert target.read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir()] == ["自评表.xlsx"]


def test_new_file_gets_normal_permissions_and_existing_keep_theirs(tmp_path):
    target = tmp_path / "new.yaml"
    atomic_write_bytes(target, b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    os.chmod(target, 0o640)
    atomic_write_bytes(target, b"y")
    assert target.stat().st_mode & 0o777 == 0o640 and target.read_bytes() == b"y"


def test_missing_folder_is_a_chinese_message(tmp_path):
    with pytest.raises(InputError, match="文件夹不存在"):
        atomic_write_bytes(tmp_path / "没有" / "a.xlsx", b"x")
