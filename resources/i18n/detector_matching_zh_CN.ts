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
        <location filename="../../station_plugins/detector_matching/ui_arc.py" line="133" />
        <source>arc: slot cost (green good, red poor) - ticks: neighbour mismatch - outlined: locked / selected (arc opened up for legibility)</source>
        <translation>弧：槽位代价（绿好、红差）- 刻线：相邻模块失配 - 描边：已锁定 / 已选中（弧已展开以便阅读）</translation>
    </message>
</context>
<context>
    <name>DetectorMatchingPanel</name>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="240" />
        <source>Import pool...</source>
        <translation>导入模块池...</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="241" />
        <source>From test database...</source>
        <translation>从测试数据库导入...</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="243" />
        <source>Read the module test results from the MES / test database (table in long format: module_serial, lot, test_date, schema_version, indicator, value, unit).</source>
        <translation>从 MES / 测试数据库读取模块测试结果（长格式表：module_serial, lot, test_date, schema_version, indicator, value, unit）。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="245" />
        <source>Detector model</source>
        <translation>探测器型号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="246" />
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="247" />
        <source>Time limit</source>
        <translation>时间限制</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="248" />
        <source>Neighbour cost</source>
        <translation>相邻代价</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="249" />
        <source>learned if available</source>
        <translation>可用时用学习模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="249" />
        <source>physics only</source>
        <translation>仅物理模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="250" />
        <source>learned</source>
        <translation>学习模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="252" />
        <source>Optimise</source>
        <translation>优化</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="253" />
        <source>fan angle (deg)</source>
        <translation>扇角（度）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="254" />
        <source>predicted artifact (cost)</source>
        <translation>预测伪影（代价）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="255" />
        <source>Swap selected slots</source>
        <translation>交换所选槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="256" />
        <source>Lock / unlock slot</source>
        <translation>锁定 / 解锁槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="257" />
        <source>detector serial, e.g. DET-24-0815</source>
        <translation>探测器序列号，例如 DET-24-0815</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="258" />
        <source>Approve (e-signature)...</source>
        <translation>批准（电子签名）...</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="259" />
        <source>Send to MES</source>
        <translation>发送到 MES</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="260" />
        <source>Arrangement</source>
        <translation>模块排列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="268" />
        <source>Manual edit</source>
        <translation>手动调整</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="269" />
        <source>Release</source>
        <translation>放行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="270" />
        <source>Detector serial</source>
        <translation>探测器序列号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="271" />
        <source>Reason (weak result)</source>
        <translation>原因（结果不达标）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="273" />
        <source>why this weak arrangement is approved anyway (signed and audited)</source>
        <translation>为何仍批准此不达标排布（随签名记录并审计）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="274" />
        <location filename="../../station_plugins/detector_matching/panel.py" line="293" />
        <source>Module pool</source>
        <translation>模块池</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="1" />
        <source>Batch</source>
        <translation>批量（多台探测器）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="1" />
        <source>Build several detectors from one module pool</source>
        <translation>从同一模块池组装多台探测器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="276" />
        <source>Spec: cost per slot at most</source>
        <translation>规格：每槽位代价不超过</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="277" />
        <source>Detectors</source>
        <translation>探测器数量</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="278" />
        <source>as many as fit</source>
        <translation>尽可能多</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="279" />
        <source>Build detectors from the pool</source>
        <translation>用模块池组建探测器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="280" />
        <source>Open selected detector in the arc view</source>
        <translation>在弧形视图中打开所选探测器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="282" />
        <source>Detector</source>
        <translation>探测器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="282" />
        <source>Cost/slot</source>
        <translation>代价/槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="282" />
        <source>Spec</source>
        <translation>规格</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="282" />
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="294" />
        <source>Pool files (*.csv *.parquet *.xlsx)</source>
        <translation>模块池文件 (*.csv *.parquet *.xlsx)</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="301" />
        <location filename="../../station_plugins/detector_matching/panel.py" line="306" />
        <source>Test database</source>
        <translation>测试数据库</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="302" />
        <source>Database URL (SQLAlchemy)</source>
        <translation>数据库地址（SQLAlchemy URL）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="307" />
        <source>Table or view</source>
        <translation>表或视图</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="342" />
        <source>{n} modules imported, {e} excluded</source>
        <translation>已导入 {n} 个模块，排除 {e} 个</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="382" />
        <source>Select a detector in the batch table.</source>
        <translation>请在批量表中选择一台探测器。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="426" />
        <source>Select two slots on the arc to swap.</source>
        <translation>请在弧上选择两个槽位进行交换。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="437" />
        <source>Select a slot on the arc to lock.</source>
        <translation>请在弧上选择要锁定的槽位。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="461" />
        <source>This result is weak: {why}. Optimise again with a longer time limit, or enter the reason for approving it anyway.</source>
        <translation>此结果不达标：{why}。请加长时间限制重新优化，或填写仍然批准的原因。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="472" />
        <source>Detector arrangement {s}</source>
        <translation>探测器模块排列 {s}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="473" />
        <source>{n} slots, objective {o}, gap {g}</source>
        <translation>{n} 个槽位，目标值 {o}，差距 {g}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="476" />
        <source>WEAK RESULT: {why}. Reason: {r}</source>
        <translation>结果不达标：{why}。原因：{r}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="489" />
        <source>MES message {id} queued</source>
        <translation>MES 消息 {id} 已排队</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="490" />
        <source>MES message {id} was already queued (not sent twice)</source>
        <translation>MES 消息 {id} 已在队列中（不会重复发送）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="498" />
        <source>back to #{no}</source>
        <translation>恢复为 #{no}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="500" />
        <source>optimised (seed {seed})</source>
        <translation>优化结果（随机种子 {seed}）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="502" />
        <source>batch detector {k} (meets spec)</source>
        <translation>批量探测器 {k}（满足规格）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="503" />
        <source>batch detector {k} (does NOT meet spec)</source>
        <translation>批量探测器 {k}（不满足规格）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="496" />
        <source>manual swap of slots {a} and {b}</source>
        <translation>手动交换槽位 {a} 与 {b}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="261" />
        <source>Compare arrangements</source>
        <translation>比较排列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="263" />
        <source>Every arrangement of this pool and detector model in this session: optimised, opened from a batch, edited by hand or restored</source>
        <translation>本次会话中该模块池与探测器型号的所有排列：优化、从批量打开、手动调整或恢复</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="265" />
        <source>Go back to this arrangement</source>
        <translation>恢复为此排列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="267" />
        <source>Make the compared arrangement current again (a new entry; nothing is deleted)</source>
        <translation>将所比较的排列重新设为当前排列（新增一条记录，不删除任何内容）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="512" />
        <source>Learned neighbour cost with the physics slot cost.</source>
        <translation>相邻代价采用学习模型，槽位代价采用物理模型。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="513" />
        <source>Physics cost (slot and neighbour).</source>
        <translation>槽位与相邻代价均采用物理模型。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="516" />
        <source>The learned cost was not used: {why}</source>
        <translation>未使用学习模型：{why}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="55" />
        <source>disabled in settings</source>
        <translation>已在设置中关闭</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="520" />
        <source>physics model</source>
        <translation>物理模型</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="521" />
        <source>learned model (ONNX)</source>
        <translation>学习模型（ONNX）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="529" />
        <source>Builds as many detectors as the pool allows and balances them so that as many as possible meet the spec.</source>
        <translation>用模块池组建尽可能多的探测器，并在探测器之间平衡，使尽可能多的探测器满足规格。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="533" />
        <source>Spec {spec} per slot: {ok} of {k} detectors meet it ({before} before balancing); material utilisation {u}; cost: {src}; {sec} s</source>
        <translation>规格（每槽位）{spec}：{k} 台探测器中 {ok} 台满足（平衡前 {before} 台）；材料利用率 {u}；代价：{src}；{sec} 秒</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="541" />
        <source>given up</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="543" />
        <location filename="../../station_plugins/detector_matching/panel.py" line="670" />
        <source>met</source>
        <translation>满足</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="543" />
        <location filename="../../station_plugins/detector_matching/panel.py" line="671" />
        <source>NOT met</source>
        <translation>不满足</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="549" />
        <source>Its modules were used so that the other detectors meet spec.</source>
        <translation>其模块已调给其他探测器，使它们满足规格。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="603" />
        <source>Click slots on the arc to select them.</source>
        <translation>点击弧上的槽位进行选择。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="607" />
        <source>slot {s}: {m} (cost {c})</source>
        <translation>槽位 {s}：{m}（代价 {c}）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="615" />
        <source>no certified lower bound, so how far this arrangement is from the best possible is unknown</source>
        <translation>无经证明的下界，无法得知此排布与最优排布相差多少</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="617" />
        <source>the certified gap {g} is above the {t} threshold of {m}: the arrangement may be up to {g} worse than the best possible</source>
        <translation>经证明的差距 {g} 超过 {m} 的阈值 {t}：此排布可能比最优排布差至多 {g}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="628" />
        <source>Weak result: {why}. Optimise again with a longer time limit; approving it needs a reason.</source>
        <translation>结果不达标：{why}。请加长时间限制重新优化；批准需填写原因。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="645" />
        <source>No arrangement yet.</source>
        <translation>尚无排列。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="655" />
        <source>now</source>
        <translation>当前</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="667" />
        <source>batch detector: {c} per slot against the spec {spec} ({state}); no single-detector bound (the batch is optimised as a whole)</source>
        <translation>批量探测器：每槽位代价 {c}，规格 {spec}（{state}）；批量整体优化，不单独给出下界</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="672" />
        <source>material utilisation of the batch {u}</source>
        <translation>批量材料利用率 {u}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="675" />
        <source>no lower bound: a lock the optimisation used was released; optimise again for a certified gap</source>
        <translation>无下界：优化时使用的锁定已解除；请重新优化以获得经证明的差距</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="678" />
        <source>lower bound {lb}, certified gap &lt;b&gt;{g}&lt;/b&gt;</source>
        <translation>下界 {lb}，经证明的差距 &lt;b&gt;{g}&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="681" />
        <source>material utilisation {u}</source>
        <translation>材料利用率 {u}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="684" />
        <source>objective {o} (slots {sc} + neighbours {nc})</source>
        <translation>目标值 {o}（槽位 {sc} + 相邻 {nc}）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="687" />
        <source>cost source: {src}</source>
        <translation>代价来源：{src}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="688" />
        <source>feasible: {f}</source>
        <translation>可行：{f}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="689" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="689" />
        <source>NO</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="696" />
        <source>{a}: {o1}
{b}: {o2}
change {d}, {k} slots differ</source>
        <translation>{a}：{o1}
{b}：{o2}
变化 {d}，{k} 个槽位不同</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="703" />
        <source>no earlier arrangement</source>
        <translation>无更早的排列</translation>
    </message>
<message>
        <location filename="../../station_plugins/detector_matching/panel.py" line="461" />
        <source>The certified gap is {g}: this arrangement may be up to {g} worse than the best one. Optimise longer before approving, unless you accept that.</source>
        <translation>已证明的最优性差距为 {g}：此排列可能比最优排列差 {g}。除非接受这一点，请延长优化时间后再批准。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>seeding</source>
        <translation>生成初始排列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>polishing (exact LAP neighbourhoods)</source>
        <translation>精修（精确 LAP 邻域）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>waiting for the lower bound</source>
        <translation>等待下界计算</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>preparing the optimiser</source>
        <translation>准备优化器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>building costs</source>
        <translation>计算代价</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>balancing detectors against the spec</source>
        <translation>按规格平衡各探测器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>annealing: best {best}</source>
        <translation>退火优化：当前最优 {best}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>re-optimising detector {d} of {k}</source>
        <translation>重新优化第 {d} 台探测器（共 {k} 台）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>reading {table} from the test database</source>
        <translation>从测试数据库读取 {table}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>reading {file}</source>
        <translation>读取 {file}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/presenter.py" line="200" />
        <source>validating {n} modules</source>
        <translation>校验 {n} 个模块</translation>
    </message>
    </context>
<context>
    <name>PoolView</name>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="49" />
        <source>Filter by serial or lot</source>
        <translation>按序列号或批次筛选</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="50" />
        <source>Excluded modules</source>
        <translation>已排除的模块</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="62" />
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="87" />
        <source>Serial</source>
        <translation>序列号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="62" />
        <source>Lot</source>
        <translation>批次</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="62" />
        <source>Tested</source>
        <translation>测试日期</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="62" />
        <source>Slot</source>
        <translation>槽位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="74" />
        <source>spare</source>
        <translation>备用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="87" />
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="88" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="100" />
        <source>{src}: {acc} modules imported, {exc} excluded</source>
        <translation>{src}：已导入 {acc} 个模块，排除 {exc} 个</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="108" />
        <source>lowest channel gain (dead channel)</source>
        <translation>最低通道增益（死通道）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="109" />
        <source>highest channel gain (hot channel)</source>
        <translation>最高通道增益（热通道）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="110" />
        <source>highest channel noise</source>
        <translation>最高通道噪声</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="111" />
        <source>highest channel afterglow</source>
        <translation>最高通道余辉</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="112" />
        <source>largest |linearity deviation|</source>
        <translation>最大 |线性偏差|</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="113" />
        <source>largest |temperature drift|</source>
        <translation>最大 |温漂|</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="114" />
        <source>highest crosstalk</source>
        <translation>最高串扰</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="118" />
        <source>out of spec: {what} {value} (limit {limit})</source>
        <translation>超差：{what} {value}（限值 {limit}）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="121" />
        <source>no module serial</source>
        <translation>缺少模块序列号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="124" />
        <source>bad test date '{date}'</source>
        <translation>测试日期无效“{date}”</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="125" />
        <source>not a number</source>
        <translation>非数值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="126" />
        <source>missing value</source>
        <translation>缺失值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="127" />
        <source>NaN or infinite</source>
        <translation>NaN 或无穷大</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="131" />
        <source>{kind} in {n} indicator(s): {names}</source>
        <translation>{n} 个指标{kind}：{names}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="135" />
        <source>duplicate serial (rows {rows})</source>
        <translation>序列号重复（第 {rows} 行）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="138" />
        <source>measured twice with different values: {values}</source>
        <translation>重复测量且数值不同：{values}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="140" />
        <source>lots</source>
        <translation>批次</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="140" />
        <source>test dates</source>
        <translation>测试日期</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="143" />
        <source>conflicting {what}: {values}</source>
        <translation>{what}冲突：{values}</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="70" />
        <source>linearity</source>
        <translation>线性度</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="70" />
        <source>afterglow</source>
        <translation>余辉</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="70" />
        <source>spectral</source>
        <translation>能谱</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="70" />
        <source>noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <location filename="../../station_plugins/detector_matching/ui_pool.py" line="70" />
        <source>drift</source>
        <translation>温漂</translation>
    </message>
</context>
</TS>
