<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>DetectorArcView</name>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_arc.py" line="90"/>
        <source>Import a pool and optimise to see the detector arc</source>
        <translation>导入模块池并优化后显示探测器弧</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_arc.py" line="133"/>
        <source>arc: slot cost (green good, red poor) - ticks: neighbour mismatch - outlined: locked / selected (arc opened up for legibility)</source>
        <translation>弧：槽位代价（绿好、红差）- 刻线：相邻模块失配 - 描边：已锁定 / 已选中（弧已展开以便阅读）</translation>
    </message>
</context>
<context>
    <name>DetectorMatchingPanel</name>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="204"/>
        <source>Import pool...</source>
        <translation>导入模块池...</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="205"/>
        <source>From test database...</source>
        <translation>从测试数据库导入...</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="207"/>
        <source>Read the module test results from the MES / test database (table in long format: module_serial, lot, test_date, schema_version, indicator, value, unit).</source>
        <translation>从 MES / 测试数据库读取模块测试结果（长格式表：module_serial, lot, test_date, schema_version, indicator, value, unit）。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="209"/>
        <source>Detector model</source>
        <translation>探测器型号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="210"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="211"/>
        <source>Time limit</source>
        <translation>时间限制</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="212"/>
        <source>Neighbour cost</source>
        <translation>相邻代价</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="213"/>
        <source>learned if available</source>
        <translation>可用时用学习模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="213"/>
        <source>physics only</source>
        <translation>仅物理模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="214"/>
        <source>learned</source>
        <translation>学习模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="216"/>
        <source>Optimise</source>
        <translation>优化</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="217"/>
        <source>fan angle (deg)</source>
        <translation>扇角（度）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="218"/>
        <source>predicted artifact (cost)</source>
        <translation>预测伪影（代价）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="219"/>
        <source>Swap selected slots</source>
        <translation>交换所选槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="220"/>
        <source>Lock / unlock slot</source>
        <translation>锁定 / 解锁槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="221"/>
        <source>detector serial, e.g. DET-24-0815</source>
        <translation>探测器序列号，例如 DET-24-0815</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="222"/>
        <source>Approve (e-signature)...</source>
        <translation>批准（电子签名）...</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="223"/>
        <source>Send to MES</source>
        <translation>发送到 MES</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="224"/>
        <source>Arrangement</source>
        <translation>模块排列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="225"/>
        <source>Compared with the previous arrangement</source>
        <translation>与上一排列比较</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="226"/>
        <source>Manual edit</source>
        <translation>手动调整</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="227"/>
        <source>Release</source>
        <translation>放行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="228"/>
        <source>Detector serial</source>
        <translation>探测器序列号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="229"/>
        <location filename="../../station_plugins/detector_matching/panel.py" line="248"/>
        <source>Module pool</source>
        <translation>模块池</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="230"/>
        <source>Batch (several detectors)</source>
        <translation>批量（多台探测器）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="231"/>
        <source>Spec: cost per slot at most</source>
        <translation>规格：每槽位代价不超过</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="232"/>
        <source>Detectors</source>
        <translation>探测器数量</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="233"/>
        <source>as many as fit</source>
        <translation>尽可能多</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="234"/>
        <source>Build detectors from the pool</source>
        <translation>用模块池组建探测器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="235"/>
        <source>Open selected detector in the arc view</source>
        <translation>在弧形视图中打开所选探测器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="237"/>
        <source>Detector</source>
        <translation>探测器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="237"/>
        <source>Cost/slot</source>
        <translation>代价/槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="237"/>
        <source>Spec</source>
        <translation>规格</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="237"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="249"/>
        <source>Pool files (*.csv *.parquet *.xlsx)</source>
        <translation>模块池文件 (*.csv *.parquet *.xlsx)</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="256"/>
        <location filename="../../station_plugins/detector_matching/panel.py" line="261"/>
        <source>Test database</source>
        <translation>测试数据库</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="257"/>
        <source>Database URL (SQLAlchemy)</source>
        <translation>数据库地址（SQLAlchemy URL）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="262"/>
        <source>Table or view</source>
        <translation>表或视图</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="293"/>
        <source>{n} modules imported, {e} excluded</source>
        <translation>已导入 {n} 个模块，排除 {e} 个</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="333"/>
        <source>Select a detector in the batch table.</source>
        <translation>请在批量表中选择一台探测器。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="377"/>
        <source>Select two slots on the arc to swap.</source>
        <translation>请在弧上选择两个槽位进行交换。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="388"/>
        <source>Select a slot on the arc to lock.</source>
        <translation>请在弧上选择要锁定的槽位。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="413"/>
        <source>Detector arrangement {s}</source>
        <translation>探测器模块排列 {s}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="414"/>
        <source>{n} slots, objective {o}, gap {g}</source>
        <translation>{n} 个槽位，目标值 {o}，差距 {g}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="427"/>
        <source>MES message {id} queued</source>
        <translation>MES 消息 {id} 已排队</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="428"/>
        <source>MES message {id} was already queued (not sent twice)</source>
        <translation>MES 消息 {id} 已在队列中（不会重复发送）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="437"/>
        <source>Builds as many detectors as the pool allows and balances them so that as many as possible meet the spec.</source>
        <translation>用模块池组建尽可能多的探测器，并在探测器之间平衡，使尽可能多的探测器满足规格。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="441"/>
        <source>Spec {spec} per slot: {ok} of {k} detectors meet it ({before} before balancing); material utilisation {u}; cost: {src}; {sec} s</source>
        <translation>规格（每槽位）{spec}：{k} 台探测器中 {ok} 台满足（平衡前 {before} 台）；材料利用率 {u}；代价：{src}；{sec} 秒</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="448"/>
        <source>given up</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="450"/>
        <source>met</source>
        <translation>满足</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="450"/>
        <source>NOT met</source>
        <translation>不满足</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="456"/>
        <source>Its modules were used so that the other detectors meet spec.</source>
        <translation>其模块已调给其他探测器，使它们满足规格。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="463"/>
        <source>Click slots on the arc to select them.</source>
        <translation>点击弧上的槽位进行选择。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="467"/>
        <source>slot {s}: {m} (cost {c})</source>
        <translation>槽位 {s}：{m}（代价 {c}）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="483"/>
        <source>No arrangement yet.</source>
        <translation>尚无排列。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="492"/>
        <source>now</source>
        <translation>当前</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="497"/>
        <source>before</source>
        <translation>之前</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="501"/>
        <source>objective {o} (slots {sc} + neighbours {nc})&lt;br&gt;lower bound {lb}, certified gap &lt;b&gt;{g}&lt;/b&gt;&lt;br&gt;cost source: {src}&lt;br&gt;feasible: {f}&lt;br&gt;material utilisation {u}</source>
        <translation>目标值 {o}（槽位 {sc} + 相邻 {nc}）&lt;br&gt;下界 {lb}，经证明的差距 &lt;b&gt;{g}&lt;/b&gt;&lt;br&gt;代价来源：{src}&lt;br&gt;可行：{f}&lt;br&gt;材料利用率 {u}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="506"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="506"/>
        <source>NO</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="510"/>
        <source>{a}: {o1}
{b}: {o2}
change {d}, {k} slots differ</source>
        <translation>{a}：{o1}
{b}：{o2}
变化 {d}，{k} 个槽位不同</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="515"/>
        <source>no earlier arrangement</source>
        <translation>无更早的排列</translation>
    </message>
</context>
<context>
    <name>PoolView</name>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="47"/>
        <source>Filter by serial or lot</source>
        <translation>按序列号或批次筛选</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="48"/>
        <source>Excluded modules</source>
        <translation>已排除的模块</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="60"/>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="85"/>
        <source>Serial</source>
        <translation>序列号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="60"/>
        <source>Lot</source>
        <translation>批次</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="60"/>
        <source>Tested</source>
        <translation>测试日期</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="60"/>
        <source>Slot</source>
        <translation>槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="72"/>
        <source>spare</source>
        <translation>备用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="85"/>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="86"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="94"/>
        <source>{src}: {acc} modules imported, {exc} excluded</source>
        <translation>{src}：已导入 {acc} 个模块，排除 {exc} 个</translation>
    </message>
</context>
</TS>
