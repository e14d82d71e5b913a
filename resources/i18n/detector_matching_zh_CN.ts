<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DetectorArcView</name>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_arc.py" line="90" />
        <source>Import a pool and optimise to see the detector arc</source>
        <translation>导入模块池并优化后显示探测器弧</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_arc.py" line="131" />
        <source>arc: slot cost (green good, red poor) - ticks: neighbour mismatch - outlined: locked / selected (arc opened up for legibility)</source>
        <translation>弧：槽位代价（绿好、红差）- 刻线：相邻模块失配 - 描边：已锁定 / 已选中（弧已展开以便阅读）</translation>
    </message>
</context>
<context>
    <name>DetectorMatchingPanel</name>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="155" />
        <source>Import pool...</source>
        <translation>导入模块池...</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="156" />
        <source>Detector model</source>
        <translation>探测器型号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="157" />
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="158" />
        <source>Time limit</source>
        <translation>时间限制</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="159" />
        <source>Neighbour cost</source>
        <translation>相邻代价</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="160" />
        <source>learned if available</source>
        <translation>可用时用学习模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="160" />
        <source>physics only</source>
        <translation>仅物理模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="161" />
        <source>learned</source>
        <translation>学习模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="163" />
        <source>Optimise</source>
        <translation>优化</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="164" />
        <source>fan angle (deg)</source>
        <translation>扇角（度）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="165" />
        <source>predicted artifact (cost)</source>
        <translation>预测伪影（代价）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="166" />
        <source>Swap selected slots</source>
        <translation>交换所选槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="167" />
        <source>Lock / unlock slot</source>
        <translation>锁定 / 解锁槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="168" />
        <source>detector serial, e.g. DET-24-0815</source>
        <translation>探测器序列号，例如 DET-24-0815</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="169" />
        <source>Approve (e-signature)...</source>
        <translation>批准（电子签名）...</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="170" />
        <source>Send to MES</source>
        <translation>发送到 MES</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="171" />
        <source>Arrangement</source>
        <translation>模块排列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="172" />
        <source>Compared with the previous arrangement</source>
        <translation>与上一排列比较</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="173" />
        <source>Manual edit</source>
        <translation>手动调整</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="174" />
        <source>Release</source>
        <translation>放行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="175" />
        <source>Detector serial</source>
        <translation>探测器序列号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="185" />
        <source>Module pool</source>
        <translation>模块池</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="186" />
        <source>Pool files (*.csv *.parquet *.xlsx)</source>
        <translation>模块池文件 (*.csv *.parquet *.xlsx)</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="196" />
        <source>{n} modules imported, {e} excluded</source>
        <translation>已导入 {n} 个模块，排除 {e} 个</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="239" />
        <source>Select two slots on the arc to swap.</source>
        <translation>请在弧上选择两个槽位进行交换。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="250" />
        <source>Select a slot on the arc to lock.</source>
        <translation>请在弧上选择要锁定的槽位。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="275" />
        <source>Detector arrangement {s}</source>
        <translation>探测器模块排列 {s}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="276" />
        <source>{n} slots, objective {o}, gap {g}</source>
        <translation>{n} 个槽位，目标值 {o}，差距 {g}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="289" />
        <source>MES message {id} queued</source>
        <translation>MES 消息 {id} 已排队</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="290" />
        <source>MES message {id} was already queued (not sent twice)</source>
        <translation>MES 消息 {id} 已在队列中（不会重复发送）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="296" />
        <source>Click slots on the arc to select them.</source>
        <translation>点击弧上的槽位进行选择。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="300" />
        <source>slot {s}: {m} (cost {c})</source>
        <translation>槽位 {s}：{m}（代价 {c}）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="316" />
        <source>No arrangement yet.</source>
        <translation>尚无排列。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="325" />
        <source>now</source>
        <translation>当前</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="330" />
        <source>before</source>
        <translation>之前</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="334" />
        <source>objective {o} (slots {sc} + neighbours {nc})&lt;br&gt;lower bound {lb}, certified gap &lt;b&gt;{g}&lt;/b&gt;&lt;br&gt;cost source: {src}&lt;br&gt;feasible: {f}&lt;br&gt;material utilisation {u}</source>
        <translation>目标值 {o}（槽位 {sc} + 相邻 {nc}）&lt;br&gt;下界 {lb}，经证明的差距 &lt;b&gt;{g}&lt;/b&gt;&lt;br&gt;代价来源：{src}&lt;br&gt;可行：{f}&lt;br&gt;物料利用率 {u}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="339" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="339" />
        <source>NO</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="343" />
        <source>{a}: {o1}
{b}: {o2}
change {d}, {k} slots differ</source>
        <translation>{a}：{o1}
{b}：{o2}
变化 {d}，{k} 个槽位不同</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="348" />
        <source>no earlier arrangement</source>
        <translation>无更早的排列</translation>
    </message>
</context>
<context>
    <name>PoolView</name>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="47" />
        <source>Filter by serial or lot</source>
        <translation>按序列号或批次筛选</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="48" />
        <source>Excluded modules</source>
        <translation>已排除的模块</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="60" />
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="85" />
        <source>Serial</source>
        <translation>序列号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="60" />
        <source>Lot</source>
        <translation>批次</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="60" />
        <source>Tested</source>
        <translation>测试日期</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="60" />
        <source>Slot</source>
        <translation>槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="72" />
        <source>spare</source>
        <translation>备用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="85" />
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="86" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="94" />
        <source>{src}: {acc} modules imported, {exc} excluded</source>
        <translation>{src}：已导入 {acc} 个模块，排除 {exc} 个</translation>
    </message>
</context>
</TS>
