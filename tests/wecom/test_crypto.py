"""Our WeCom crypto against wechatpy as an independent peer, plus known-answer vectors."""

from __future__ import annotations

import base64

import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.channels.wecom.crypto import (
    DecryptError,
    InvalidSignature,
    WeComCrypto,
    WrongReceiver,
    signature,
)

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # 43 chars, as the admin console shows
CORP_ID = "wx5823bf96d3bd56c7"


def test_wechatpy_encrypted_message_decrypts_with_ours() -> None:
    peer = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    xml = peer.encrypt_message("<xml><Content>你好，园区</Content></xml>", nonce="n1", timestamp="1700000000")
    encrypt = xml.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    sig = xml.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    ours = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    assert ours.verify_and_decrypt(sig, "1700000000", "n1", encrypt) == "<xml><Content>你好，园区</Content></xml>"


def test_our_ciphertext_decrypts_with_wechatpy() -> None:
    ours = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    encrypt = ours.encrypt("回复：申请工作许可的年龄可放宽至65岁")
    sig = ours.sign("1700000001", "n2", encrypt)
    peer = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
    body = {"Encrypt": encrypt}
    assert peer.decrypt_message(body, sig, "1700000001", "n2") == "回复：申请工作许可的年龄可放宽至65岁"


def test_known_answer_fixed_prefix_gives_fixed_ciphertext() -> None:
    ours = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    prefix = b"0123456789abcdef"
    first = ours.encrypt("hello", random_prefix=prefix)
    assert first == ours.encrypt("hello", random_prefix=prefix)
    assert ours.decrypt(first) == "hello"
    # 16 + 4 + 5 + 18 = 43 bytes → padded to 64 bytes of ciphertext
    assert len(base64.b64decode(first)) == 64
    # computed independently with `openssl enc -aes-256-cbc -nopad` on the hand-padded plaintext
    assert first == "sKqRbbiSUnDhFHOvPjtUMd2aKGsnO1wGUhhgmucZyOooAmp9WiC5uDkjoOv6eP1l5uh45DeEw9aco5AR3vyVtA=="


def test_aligned_plaintext_gets_a_full_block_of_padding() -> None:
    ours = WeComCrypto(TOKEN, AES_KEY, "")
    # 16 + 4 + 12 + 0 = 32 bytes: exactly one block, so a whole 32-byte pad block is added
    encrypt = ours.encrypt("x" * 12, random_prefix=b"\0" * 16)
    assert len(base64.b64decode(encrypt)) == 64
    assert ours.decrypt(encrypt) == "x" * 12


def test_signature_is_sha1_of_sorted_parts() -> None:
    import hashlib

    expected = hashlib.sha1("".join(sorted(["t", "1", "n", "e"])).encode()).hexdigest()
    assert signature("t", "1", "n", "e") == expected


def test_forged_signature_wrong_corp_and_tampered_ciphertext_are_rejected() -> None:
    ours = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    encrypt = ours.encrypt("<xml/>")
    with pytest.raises(InvalidSignature):
        ours.verify_and_decrypt("0" * 40, "1", "n", encrypt)
    other = WeComCrypto(TOKEN, AES_KEY, "ww_other_corp")
    with pytest.raises(WrongReceiver):
        other.decrypt(encrypt)
    raw = bytearray(base64.b64decode(encrypt))
    raw[-1] ^= 0x55
    with pytest.raises(DecryptError):
        ours.decrypt(base64.b64encode(bytes(raw)).decode())
    with pytest.raises(DecryptError):
        ours.decrypt("not base64!!")


def test_bad_aes_key_is_refused_with_a_hint() -> None:
    with pytest.raises(ValueError, match="43"):
        WeComCrypto(TOKEN, "short", CORP_ID)
