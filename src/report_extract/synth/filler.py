"""Chinese body text for the non-table sections: plausible, varied, not meaningful."""

from __future__ import annotations

import random

_NOTICE = {"2019": "国办公开办函〔2019〕60号", "2021": "国办公开办函〔2021〕30号"}

_SUBHEADS = (
    "主动公开情况", "依申请公开情况", "政府信息管理情况", "政府信息公开平台建设情况",
    "监督保障情况", "政策解读回应情况", "重点领域信息公开情况",
)

_SENTENCES = (
    "坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开",
    "进一步健全政府信息公开工作机制，明确责任分工，压实工作责任",
    "严格落实信息发布审核制度，坚持先审后发，确保公开信息准确规范",
    "围绕中心工作和社会关注热点，及时发布权威信息，积极回应群众关切",
    "依托政府门户网站、政务新媒体等平台，拓宽信息公开渠道",
    "规范依申请公开办理流程，做到依法受理、按时答复",
    "加强政策解读工作，通过图文解读、视频解读等多种形式提升解读效果",
    "定期开展政府网站和政务新媒体检查，及时整改发现的问题",
    "组织开展政务公开业务培训，提升工作人员业务能力",
    "将政务公开工作纳入年度绩效考核，强化监督问责",
    "加大重点领域信息公开力度，做好财政预决算、重大项目等信息公开",
    "按照规定做好行政规范性文件的清理和公开工作",
    "全年通过门户网站主动公开政府信息{n}条",
    "共收到政府信息公开申请{m}件，均在法定期限内答复",
)

_PROBLEMS = (
    "政府信息公开的深度和广度还有待提升",
    "政策解读形式还不够丰富，解读质量有待提高",
    "信息发布的及时性有待进一步加强",
    "工作人员业务能力与新形势新要求还有一定差距",
    "依申请公开答复的规范化水平需要进一步提升",
)
_IMPROVEMENTS = (
    "进一步完善信息公开工作制度，强化责任落实",
    "丰富政策解读形式，提升解读的针对性和实效性",
    "加强业务培训，提升工作人员专业化水平",
    "持续优化政府网站栏目设置，提升信息查找便利度",
    "规范依申请公开办理流程，提高答复质量",
)
_CN_NUMS = "一二三四五六七八九十"


def _sentences(rng: random.Random, pool: tuple[str, ...], k: int, received: int = 0) -> str:
    picked = rng.sample(pool, k)
    text = "，".join(s.format(n=rng.randint(50, 3000), m=received) for s in picked)
    return text + "。"


def intro(rng: random.Random, agency: str, year: int, template: str) -> str:
    phone = f"0{rng.randint(10, 999)}-{rng.randint(2000000, 89999999)}"
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和"
        f"《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作"
        f"年度报告格式〉的通知》（{_NOTICE[template]}）要求编制。报告中所列数据统计期限自"
        f"{year}年1月1日起至{year}年12月31日止。本报告电子版可在{agency}门户网站查阅或下载。"
        f"如对本报告有疑问，请与{agency}办公室联系（电话：{phone}）。"
    )


def overview(rng: random.Random, agency: str, year: int, received: int) -> list[str]:
    """Section 一: a lead paragraph and numbered sub-paragraphs; `received` is table 三's
    count of new requests, so the prose does not contradict the table."""
    lead = f"{year}年，{agency}认真贯彻落实《条例》要求，"
    paras = [lead + _sentences(rng, _SENTENCES, 3, received)]
    for i, head in enumerate(rng.sample(_SUBHEADS, rng.randint(2, 4))):
        paras.append(f"（{_CN_NUMS[i]}）{head}。" + _sentences(rng, _SENTENCES, 2, received))
    return paras


def problems(rng: random.Random, year: int) -> list[str]:
    return [
        f"{year}年，我单位政府信息公开工作取得了一定成效，但也存在一些不足："
        + _sentences(rng, _PROBLEMS, 2),
        f"{year + 1}年，我们将重点做好以下工作：一是" + _sentences(rng, _IMPROVEMENTS, 1)[:-1]
        + "；二是" + _sentences(rng, _IMPROVEMENTS, 1),
    ]


def other_matters(rng: random.Random, year: int) -> list[str]:
    if rng.random() < 0.5:
        return ["无。"]
    return [f"{year}年，本机关未收取信息处理费。" + _sentences(rng, _SENTENCES, 1)]
