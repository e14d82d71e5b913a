<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AiScoresView</name>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="101" />
        <source>AI verdict</source>
        <translation>AI 判定</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="107" />
        <source>No AI verdict: %1</source>
        <translation>无 AI 判定：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="111" />
        <source>Anomaly score %1 (above 1: fits no class)</source>
        <translation>异常分数 %1（大于 1：不属于任何类别）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="115" />
        <source>Model %1 %2, sha256 %3…</source>
        <translation>模型 %1 %2，sha256 %3…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="130" />
        <source>AI class: %1 (confidence %2)</source>
        <translation>AI 类别：%1（置信度 %2）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="133" />
        <source>Low confidence: %1</source>
        <translation>置信度低：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="135" />
        <source>Anomaly score %1: fits no class</source>
        <translation>异常分数 %1：不属于任何类别</translation>
    </message>
</context>
<context>
    <name>ImageReview</name>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="10" />
        <source>AI abnormal</source>
        <translation>AI 判为异常</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="11" />
        <source>Low AI confidence</source>
        <translation>AI 置信度低</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="12" />
        <source>Fits no AI class</source>
        <translation>不属于任何 AI 类别</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="13" />
        <source>Failed limits</source>
        <translation>超出限值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="14" />
        <source>AI ≠ physics</source>
        <translation>AI 与物理检测不一致</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="21" />
        <source>No artifact on review (AI false positive)</source>
        <translation>复核未见伪影（AI 误报）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="23" />
        <source>Artifact present but within acceptance</source>
        <translation>存在伪影但在可接受范围内</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="25" />
        <source>Phantom positioning, not a scanner defect</source>
        <translation>体模摆位问题，非扫描机缺陷</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="27" />
        <source>Ring / arc artifact</source>
        <translation>环状 / 弧形伪影</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="28" />
        <source>Streak artifact</source>
        <translation>条纹伪影</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="29" />
        <source>Band / z-banding artifact</source>
        <translation>带状 / z 向条带伪影</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="30" />
        <source>Excess noise</source>
        <translation>噪声过大</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="31" />
        <location filename="../../station_plugins/image_review/ui_texts.py" line="56" />
        <source>CT-number shift</source>
        <translation>CT 值偏移</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="32" />
        <source>Blur / geometry defect</source>
        <translation>模糊 / 几何缺陷</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="33" />
        <source>Other image-quality defect</source>
        <translation>其他影像质量缺陷</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="39" />
        <source>Open</source>
        <translation>待复核</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="40" />
        <source>Awaiting 2nd signature</source>
        <translation>等待第二签名</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="41" />
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="42" />
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="49" />
        <source>no AI verdict</source>
        <translation>无 AI 判定</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="51" />
        <source>normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="52" />
        <source>ring</source>
        <translation>环形伪影</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="53" />
        <source>streak</source>
        <translation>条纹伪影</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="54" />
        <source>band</source>
        <translation>带状伪影</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="55" />
        <source>noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="57" />
        <source>blur / geometry</source>
        <translation>模糊 / 几何</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="58" />
        <source>uncertain</source>
        <translation>不确定</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="59" />
        <source>AI not applicable</source>
        <translation>AI 不适用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="64" />
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="65" />
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="66" />
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="67" />
        <source>Info</source>
        <translation>信息</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="31" />
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="33" />
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="35" />
        <source>%1 d %2 h</source>
        <translation>%1 天 %2 小时</translation>
    </message>
</context>
<context>
    <name>ImageReviewPanel</name>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="194" />
        <source>No heatmap: %1</source>
        <translation>无热图：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="196" />
        <source>No heatmap: the AI check is unavailable.</source>
        <translation>无热图：AI 检查不可用。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="147" />
        <source>On hold: %1</source>
        <translation>已暂停放行：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="151" />
        <source>No scanner on hold</source>
        <translation>无扫描机被暂停放行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="163" />
        <source>You analysed this series: another reviewer must decide it.</source>
        <translation>此序列由您分析：须由另一位复核员决定。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="166" />
        <location filename="../../station_plugins/image_review/panel.py" line="200" />
        <source>Assigned to %1.</source>
        <translation>已分配给 %1。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="177" />
        <source>The queue is empty.</source>
        <translation>队列为空。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="188" />
        <source>Assign</source>
        <translation>分配</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="188" />
        <source>Reviewer</source>
        <translation>复核员</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="218" />
        <source>Choose an approve reason from the list first.</source>
        <translation>请先从列表中选择批准理由。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="219" />
        <source>Choose a reject reason from the list first.</source>
        <translation>请先从列表中选择拒绝理由。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="239" />
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="239" />
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="241" />
        <source>%1 review item: scanner %2, slice %3</source>
        <translation>%1复核项：扫描机 %2，层面 %3</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="244" />
        <source>Reason: %1. Series %2.</source>
        <translation>理由：%1。序列 %2。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="263" />
        <source>Not signed: nothing was recorded.</source>
        <translation>未签名：未记录任何内容。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="270" />
        <source>Rejection signed; a second reviewer must sign it (two-person rule).</source>
        <translation>拒绝已签名；须由第二位复核员签名（双人规则）。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="272" />
        <source>Rejected: scanner %1 is on hold.</source>
        <translation>已拒绝：扫描机 %1 已暂停放行。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="274" />
        <source>Approved and signed.</source>
        <translation>已批准并签名。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="276" />
        <source>The second reviewer disagreed: the item is open again.</source>
        <translation>第二位复核员不同意：该项重新待复核。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="283" />
        <source>CT series folder</source>
        <translation>CT 序列文件夹</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="296" />
        <source>Empty folder for the export</source>
        <translation>用于导出的空文件夹</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="311" />
        <source>Exported %1 decided items (data set %2).</source>
        <translation>已导出 %1 个已决定项（数据集 %2）。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="316" />
        <source>Queued for review: %1.</source>
        <translation>已加入复核队列：%1。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="317" />
        <source>Nothing to review in this series.</source>
        <translation>此序列无需复核。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="328" />
        <source>AI check: loading the model…</source>
        <translation>AI 检查：正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="330" />
        <source>AI check: %1</source>
        <translation>AI 检查：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="332" />
        <source>AI check unavailable: %1 - physics checks only</source>
        <translation>AI 检查不可用：%1 - 仅进行物理检测</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="369" />
        <source>Check a series…</source>
        <translation>检查序列…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="370" />
        <source>Run the AI check and the physics checks on a DICOM series and queue it when it needs review</source>
        <translation>对 DICOM 序列运行 AI 检查和物理检测，需要时加入复核队列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/panel.py" line="372" />
        <source>Export labelled set…</source>
        <translation>导出标注数据集…</translation>
    </message>
</context>
<context>
    <name>PhysicsView</name>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="187" />
        <source>%1 artifact</source>
        <translation>%1 伪影</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="209" />
        <source>Physics verdict (CT QC)</source>
        <translation>物理检测判定（CT 质控）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="210" />
        <source>Finding</source>
        <translation>发现</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="210" />
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="211" />
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="216" />
        <source>No physics verdict was recorded with this item.</source>
        <translation>此项未记录物理检测判定。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="219" />
        <source>Measurements: %1, artifacts: %2. Listed: what is outside its limits.</source>
        <translation>测量项：%1，伪影：%2。列出：超出限值的项目。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="0" />
        <source>Measurements outside their limits: %1 of %2</source>
        <translation>超出限值的测量项：%2 项中 %1 项</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="0" />
        <source>Measurements outside their limits: %1</source>
        <translation>超出限值的测量项：%1 项</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="0" />
        <source>Artifact checks: %1, with a finding: %2</source>
        <translation>伪影检查：%1 项，有发现：%2 项</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_verdicts.py" line="0" />
        <source>The table lists every measurement outside its limits and every artifact check.</source>
        <translation>表中列出每个超出限值的测量项和每项伪影检查。</translation>
    </message>
</context>
<context>
    <name>QueueItemModel</name>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="66" />
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="66" />
        <source>Age</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="66" />
        <source>Scanner</source>
        <translation>扫描机</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="66" />
        <source>AI class</source>
        <translation>AI 类别</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="67" />
        <source>Reasons</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="67" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="67" />
        <source>Reviewer</source>
        <translation>复核员</translation>
    </message>
</context>
<context>
    <name>QueueView</name>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="221" />
        <location filename="../../station_plugins/image_review/ui_queue.py" line="302" />
        <source>All scanners</source>
        <translation>全部扫描机</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="223" />
        <location filename="../../station_plugins/image_review/ui_queue.py" line="304" />
        <source>All AI classes</source>
        <translation>全部 AI 类别</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="286" />
        <source>%1 of %2 items</source>
        <translation>%1 / %2 项</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="296" />
        <source>To review</source>
        <translation>待复核</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="296" />
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="307" />
        <source>Created between</source>
        <translation>创建日期介于</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="308" />
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="309" />
        <source>Assign…</source>
        <translation>分配…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_queue.py" line="310" />
        <source>Assign the selected item to a reviewer</source>
        <translation>将所选项分配给复核员</translation>
    </message>
</context>
<context>
    <name>ReviewView</name>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="230" />
        <source>Select an item in the queue.</source>
        <translation>请在队列中选择一项。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="233" />
        <source>Scanner %1 · series %2 · slice %3 · %4 · analysed by %5</source>
        <translation>扫描机 %1 · 序列 %2 · 层面 %3 · %4 · 分析人 %5</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="237" />
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="239" />
        <source>AI and physics disagree: AI class '%1', physics verdict %2. Look closely.</source>
        <translation>AI 与物理检测不一致：AI 类别“%1”，物理检测判定 %2。请仔细查看。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="241" />
        <source>Flagged image (AI heatmap)</source>
        <translation>被标记的影像（AI 热图）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="242" />
        <source>Flagged image, slice %1 - %2</source>
        <translation>被标记的影像，层面 %1 - %2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="245" />
        <source>Accepted baseline of the scanner</source>
        <translation>扫描机的已接受基线</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="246" />
        <source>No accepted baseline for this scanner</source>
        <translation>此扫描机无已接受基线</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="247" />
        <source>Decision (recorded only when signed)</source>
        <translation>决定（签名后才记录）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="248" />
        <source>Approve reason</source>
        <translation>批准理由</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="249" />
        <source>Reject reason</source>
        <translation>拒绝理由</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="250" />
        <source>Comment</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="253" />
        <source>— choose —</source>
        <translation>— 请选择 —</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="256" />
        <source>Approve [A]</source>
        <translation>批准 [A]</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="257" />
        <source>Reject [R]</source>
        <translation>拒绝 [R]</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="258" />
        <source>Next [N]</source>
        <translation>下一项 [N]</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="259" />
        <source>Heatmap [H]</source>
        <translation>热图 [H]</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="261" />
        <source>Keys: N next item · A approve · R reject · H heatmap on/off. Mouse: drag pans, wheel zooms, right-drag sets window/level (both images follow).</source>
        <translation>按键：N 下一项 · A 批准 · R 拒绝 · H 热图开/关。鼠标：拖动平移，滚轮缩放，右键拖动调节窗宽/窗位（两幅影像同步）。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="270" />
        <source>%1 by %2 (%3), %4</source>
        <translation>%2 %1（%3），%4</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="276" />
        <source>Two-person rule: a second reviewer must sign the rejection.</source>
        <translation>双人规则：须由第二位复核员签署该拒绝。</translation>
    </message>
<message>
        <location filename="../../station_plugins/image_review/ui_review.py" line="171" />
        <source>Your role may not approve or reject (reviewer or supervisor needed).</source>
        <translation>您的角色不能批准或拒绝（需要复核员或主管）。</translation>
    </message>
    </context>
<context>
    <name>ImageReviewShort</name>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="1" />
        <source>AI unsure</source>
        <translation>AI 置信度低</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="1" />
        <source>No AI class</source>
        <translation>无对应 AI 类别</translation>
    </message>
    <message>
        <location filename="../../station_plugins/image_review/ui_texts.py" line="1" />
        <source>AI ≠ physics</source>
        <translation>AI≠物理检测</translation>
    </message>
</context>
</TS>
