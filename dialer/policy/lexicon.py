"""Answer lexicons per question kind: the phrases people really say on a follow-up call.

Each kind maps phrases to a label ("yes", "no", "unclear", "agent"). The classifier matches the
longest phrase at each position, so listing "不是" beside "是" is how negation wins; a yes word
right after a negator ("不太满意", "没那么清楚") is folded into the negation by `classify.py`.
Weak phrases (嗯, 好) decide only when nothing stronger was said.

`GRAMMAR_*` is a separate, deliberately small list: the words a Vosk grammar holds. The
decoder loops over grammar entries, so "不 满意" is heard as two tokens and joined later; a long
phrase in the grammar would only add words the production model may lack.
"""

from __future__ import annotations

# fmt: off
KINDS = ("yes_no", "satisfaction", "understanding", "identity")

# Asking for a person outranks every other answer: the customer must be able to reach an agent.
AGENT: tuple[str, ...] = (
    "人工", "转人工", "人工服务", "人工客服", "找客服", "转客服", "我要投诉", "投诉", "真人", "接线员",
    "坐席", "找你们领导", "找人工", "转接", "找个人", "跟人说",
)
# "不用转人工" must not escalate.
AGENT_NEGATORS: tuple[str, ...] = (
    "不用", "不要", "不需要", "别", "无需", "没有", "没", "不",
)

COMMON_YES: tuple[str, ...] = (
    "是", "是的", "是啊", "是呀", "是滴", "是嘞", "是的呢", "对", "对的", "对啊", "对呀", "对对", "对对对",
    "对头", "没错", "没错的", "对没错", "没问题", "没有问题", "没什么问题", "没啥问题", "冇问题",
    "莫得问题", "没得问题", "好的", "好嘞", "得嘞", "行", "行的", "可以", "可以的", "要得", "嗯呐", "系",
    "系啊", "系嘅", "有", "有的", "有啊", "同意", "确认", "确定", "正确", "知道", "知道的", "知道了",
    "晓得", "清楚", "清楚的", "明白", "明白了", "了解", "满意", "签了", "签过", "看了", "看过", "读过",
    "阅读过", "收到了", "收到", "当然", "肯定", "那当然", "不错", "yes", "ok", "okay",
)
COMMON_NO: tuple[str, ...] = (
    "不是", "不是的", "不对", "不", "否", "没有", "没有的", "没", "没得", "莫得", "木有", "冇", "冇有",
    "唔系", "唔是", "不行", "不可以", "不同意", "没收到", "没签", "没签过", "没看", "没看过", "没读",
    "没读过", "没人", "没人说", "没人讲", "没人告诉", "从来没有", "根本没有", "绝对没有", "不满意",
    "不清楚", "唔清楚", "唔满意", "不明白", "不了解", "没听说", "没听过", "不正确", "错了", "不认可",
    "不用", "不用了", "不需要",
)
COMMON_UNCLEAR: tuple[str, ...] = (
    "不知道", "唔知", "不晓得", "不确定", "说不好", "说不准", "不好说", "再说吧", "不记得", "记不清",
    "记不得", "记不住", "忘了", "忘记了", "不一定", "什么", "啥", "你说啥", "你说什么", "哪位", "你是谁",
    "谁啊", "听不清", "没听清", "没听清楚", "听不见", "再说一遍", "再说一次", "重复一下", "等一下", "等等",
    "稍等", "我想想", "是吗", "是不是", "对不对", "有没有", "什么意思", "不懂你意思", "我在忙", "在忙",
    "没空", "回头再说", "以后再说", "改天", "可能", "也许", "大概", "好像", "估计", "差不多吧", "随便",
    "无所谓",
)
# Bare acknowledgements: yes when alone, overruled by anything stronger ("嗯…不是" is no).
WEAK_YES: tuple[str, ...] = (
    "嗯", "嗯嗯", "嗯嗯嗯", "恩", "哦", "噢", "好", "好好", "好好好", "行行", "中",
)
# Words that hold an answer word but are no answer ("有点", "一点"), and greetings, which a yes may follow.
NEUTRAL: tuple[str, ...] = (
    "有点", "一点", "有些", "有时", "还有", "没事", "没关系", "谢谢", "不客气", "不好意思", "对不起",
    "不过", "不然", "不少", "不用谢", "是谁", "你好", "您好", "喂", "喂喂",
)

KIND_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "yes_no": {},
    "satisfaction": {
        "yes": (
            "满意的", "挺满意", "很满意", "非常满意", "比较满意", "基本满意", "满意满意", "挺好", "很好",
            "非常好", "不错", "挺不错", "蛮好", "蛮好的", "还好", "还行", "还可以", "可以", "好评",
            "没意见", "没什么意见", "没有意见", "没有不满意", "没什么不满意", "谢谢你们", "服务很好",
            "巴适",
        ),
        # Anything short of 满意 is recorded as not satisfied, as 回访 practice does: a lukewarm
        # answer is worth an agent's look, while a missed complaint is lost.
        "no": (
            "一般", "一般般", "一般吧", "马马虎虎", "凑合", "还凑合", "不太好", "不好", "很差", "太差",
            "差", "差劲", "太慢", "不行", "糟糕", "失望", "有意见", "意见很大", "不怎么样", "不咋地",
            "不咋样", "很不满意", "非常不满意",
        ),
        "unclear": (),
    },
    "understanding": {
        "yes": (
            "清楚了", "都清楚", "很清楚", "明白的", "了解了", "了解的", "懂", "懂了", "听懂了", "理解",
            "记得", "晓得的", "讲过", "说过", "告诉过", "解释过", "介绍过",
        ),
        # Not knowing what the question asks about IS the problem ("您是否知道犹豫期?" — "不知道").
        "no": (
            "不知道", "唔知", "不晓得", "不懂", "没听懂", "不理解", "不记得", "记不清", "记不得", "忘了",
            "忘记了", "没讲过", "没说过", "没告诉", "没人解释", "没解释", "没介绍", "不太懂",
        ),
        "unclear": (),
    },
    "identity": {
        "yes": (
            "是我", "我是", "我就是", "就是我", "本人", "是本人", "我本人", "是我本人", "我是本人", "对我是",
            "正是", "我就是本人", "就是本人",
        ),
        "no": (
            "不是我", "不是本人", "我不是", "打错了", "打错", "你打错了", "找错人了", "不认识", "没这个人",
            "没有这个人", "不是他", "不是她",
        ),
        "unclear": (
            "你找谁", "找谁", "什么事", "有什么事", "啥事", "有事吗", "有事", "干嘛", "干什么", "怎么了",
            "哪里", "哪儿", "你哪位", "您哪位", "你是哪里", "哪个", "谁", "啊",
        ),
    },
}

# Identity: someone other than the customer answered. Any of these in the answer makes it the wrong
# person, however the sentence starts ("是他爱人" starts with 是, "我就是他老婆" with 我就是).
THIRD_PARTY: tuple[str, ...] = (
    # he / she as the subject, or the customer's phone in someone else's hands
    "他", "她", "他们", "她们", "人家", "在我这", "在我这儿", "在我手上", "手机在我",
    # family
    "爱人", "老公", "老婆", "媳妇", "丈夫", "妻子", "太太", "家属", "家人", "家里人", "亲属", "亲戚",
    "儿子", "女儿", "闺女", "孩子", "父母", "父亲", "母亲", "妈", "爸", "老伴", "老头", "老太婆",
    "哥哥", "姐姐", "弟弟", "妹妹", "我哥", "我姐", "我弟", "我妹", "爷爷", "奶奶", "外公", "外婆",
    "姥姥", "姥爷", "孙子", "孙女", "外孙", "儿媳", "女婿", "公公", "婆婆", "岳父", "岳母", "舅舅",
    "叔叔", "阿姨", "姑姑", "对象", "男朋友", "女朋友",
    # work and others
    "同事", "秘书", "助理", "司机", "朋友", "同学", "邻居", "保姆", "领导", "老板", "下属", "室友",
    "前台", "家政",
    # not there, or answering for someone
    "不在", "不在家", "出去了", "出门了", "出差", "开会", "在开会", "上班", "在上班", "睡觉", "在睡觉",
    "住院", "去世", "过世", "帮他接", "替他接", "帮她接", "替她接", "代接", "帮忙接", "转告", "代他",
    "代她",
)
# Words that hold a third-party word but are not about someone else ("其他", "王小姐" holds 姐).
THIRD_PARTY_NEUTRAL: tuple[str, ...] = ("其他", "其它", "小姐", "大姐", "吉他")
# Kind words a person may say after picking up that confirm nothing ("你说" only invites the caller on).
IDENTITY_NEUTRAL: tuple[str, ...] = ("您说", "你说", "请讲", "请说", "讲吧", "说吧")
# The only common yes words that confirm "I am that person"; every other yes word (好的, 可以, 知道)
# is no confirmation of who is speaking, so it is unclear here.
IDENTITY_COMMON_YES: tuple[str, ...] = (
    "是", "是的", "是啊", "是呀", "是滴", "是嘞", "是的呢", "对", "对的", "对啊", "对呀", "对对",
    "对对对", "对头", "没错", "没错的", "对没错", "系", "系啊", "系嘅", "确认", "确定", "正确", "yes",
)

# Single words for the recognizer's grammar, shared by every kind; kind tokens are added below.
GRAMMAR_COMMON: tuple[str, ...] = (
    "是", "是的", "不是", "不是的", "对", "对的", "不对", "没有", "有", "没", "不", "没错", "没问题",
    "好的", "好", "可以", "行", "嗯", "不知道", "不确定", "再说", "吧", "很", "太", "人工", "转", "客服",
    "投诉",
)
# Distractors: what an off-topic answer most likely holds, so it lands on these and not on 是/否.
GRAMMAR_DISTRACTORS: tuple[str, ...] = (
    "喂", "你好", "哪位", "什么", "谁", "等", "一下", "谢谢", "忙", "听", "说", "我",
)
GRAMMAR_KIND = {
    "yes_no": (),
    "satisfaction": ("满意", "不满意", "一般", "还行", "挺", "不错"),
    "understanding": ("清楚", "知道", "明白", "了解"),
    # Third persons, so the recognizer hears "他 爱人" instead of folding it into 是 or the unknown token.
    "identity": (
        "本人", "我是", "打错", "了", "他", "她", "爱人", "老公", "老婆", "家属", "儿子", "女儿", "父母",
        "妈妈", "爸爸", "同事", "秘书", "朋友", "不在", "在", "开会", "上班", "帮", "替", "接", "家",
    ),
}
# fmt: on


def phrases(kind: str) -> dict[str, str]:
    """Return phrase → label for a question kind, kind-specific entries overriding common ones."""
    check_kind(kind)
    table: dict[str, str] = {}
    for label, words in (("yes", COMMON_YES), ("no", COMMON_NO), ("unclear", COMMON_UNCLEAR)):
        table.update(dict.fromkeys(words, label))
    if kind == "identity":
        table.update({w: "unclear" for w, label in table.items() if label == "yes"})
        table.update(dict.fromkeys(IDENTITY_COMMON_YES, "yes"))
    for label, words in KIND_PHRASES[kind].items():
        table.update(dict.fromkeys(words, label))
    table.update(dict.fromkeys(NEUTRAL, "neutral"))
    # Fillers (嗯, 好) acknowledge the voice, not the name: they never confirm who is speaking.
    table.update(dict.fromkeys(WEAK_YES, "filler" if kind == "identity" else "weak_yes"))
    table.update(dict.fromkeys(AGENT, "agent"))
    if kind == "identity":
        table.update(dict.fromkeys(IDENTITY_NEUTRAL, "neutral"))
    return table


def third_party_phrases() -> dict[str, str]:
    """Return phrase → label for spotting someone other than the customer ("third_party" or "neutral")."""
    table = dict.fromkeys(THIRD_PARTY, "third_party")
    table.update(dict.fromkeys(THIRD_PARTY_NEUTRAL, "neutral"))
    return table


def grammar_tokens(kind: str) -> list[str]:
    """Return the grammar words for a kind: common answers, kind words and distractors, no repeats."""
    check_kind(kind)
    return list(dict.fromkeys((*GRAMMAR_COMMON, *GRAMMAR_KIND[kind], *GRAMMAR_DISTRACTORS)))


def check_kind(kind: str) -> None:
    """Fail with the list of known kinds when `kind` is not one of them."""
    if kind not in KINDS:
        raise ValueError(f"unknown question kind {kind!r}; use one of: {', '.join(KINDS)}")
