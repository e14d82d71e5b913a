<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ActivityLog</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="175" />
        <source>Series complete: %1 images (%2)</source>
        <translation>序列完整：%1 幅图像（%2）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="177" />
        <source>series complete</source>
        <translation>序列完整</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="178" />
        <source>file rejected</source>
        <translation>文件被拒收</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="178" />
        <source>quarantined</source>
        <translation>已隔离</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="179" />
        <source>scanner connected</source>
        <translation>扫描机已连接</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="179" />
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="180" />
        <source>receiver started</source>
        <translation>接收已启动</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="180" />
        <source>receiver stopped</source>
        <translation>接收已停止</translation>
    </message>
    <message numerus="yes">
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="188" />
        <source>%n file(s) stored</source>
        <translation>
            <numerusform>已保存 %n 个文件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="199" />
        <source>%n file(s) already stored (duplicates, not stored again)</source>
        <translation>
            <numerusform>%n 个文件已保存过（重复，未再保存）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="173" />
        <source>Series unchanged, not analysed again: its result (%1) stands; %2 images already stored</source>
        <translation>序列未变化，不再分析：原结果（%1）保持有效；%2 幅图像已保存过</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="212" />
        <source>file rejected: %1 [%2]</source>
        <translation>文件已拒收：%1 [%2]</translation>
    </message>
</context>
<context>
    <name>ArtifactTable</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="63" />
        <source>Artifact</source>
        <translation>伪影</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="63" />
        <source>Amplitude (HU)</source>
        <translation>幅度 (HU)</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="64" />
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="64" />
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
</context>
<context>
    <name>CtQcPanel</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_toolbar.py" line="78" />
        <source>Choose a series in the list first.</source>
        <translation>请先在列表中选择序列。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_toolbar.py" line="81" />
        <source>Analyse the series first: the report shows its result.</source>
        <translation>请先分析该序列：报告内容即分析结果。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_toolbar.py" line="83" />
        <source>Analyse the series first: its stored result becomes the baseline.</source>
        <translation>请先分析该序列：其已保存的结果才能设为基线。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="210" />
        <source>Choose a series first.</source>
        <translation>请先选择序列。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="329" />
        <source>Phantom</source>
        <translation>体模</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="335" />
        <source>Limits</source>
        <translation>限值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="336" />
        <source>Analyse</source>
        <translation>分析</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="337" />
        <source>Set as baseline…</source>
        <translation>设为基线…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="338" />
        <source>Archive to PACS</source>
        <translation>归档到PACS</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="339" />
        <source>PDF report…</source>
        <translation>PDF报告…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="341" />
        <source>Series</source>
        <translation>序列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="342" />
        <source>Rejected (%1)</source>
        <translation>已拒收 (%1)</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/panel.py" line="343" />
        <source>Activity</source>
        <translation>活动记录</translation>
    </message>
</context>
<context>
    <name>HoldBanner</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="68" />
        <source>Scanner %1 on hold: %2 (by %3)</source>
        <translation>扫描仪 %1 已暂停放行：%2（%3）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="72" />
        <source>Placed %1 by the image-review station. Do not release this scanner; a reviewer approval of a new series lifts the hold.</source>
        <translation>影像复核工位于 %1 设置。请勿放行此扫描仪；复核员批准新序列后解除暂停。</translation>
    </message>
</context>
<context>
    <name>IntakeBar</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="93" />
        <source>Stop receiving</source>
        <translation>停止接收</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="94" />
        <source>Receive from scanners</source>
        <translation>接收扫描仪图像</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="95" />
        <source>Receiver off</source>
        <translation>接收已关闭</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="96" />
        <source>Import folder…</source>
        <translation>导入文件夹…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="97" />
        <source>Simulate series</source>
        <translation>模拟序列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="98" />
        <source>Demo scanner</source>
        <translation>演示扫描仪</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="99" />
        <source>Push a simulated phantom series from a simulated scanner to this station's receiver</source>
        <translation>由模拟扫描仪向本工位接收端推送一个模拟体模序列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="101" />
        <source>Analyse complete series automatically</source>
        <translation>序列接收完整后自动分析</translation>
    </message>
</context>
<context>
    <name>IntakeController</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_wiring.py" line="86" />
        <source>any calling AE</source>
        <translation>任意调用AE</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_wiring.py" line="87" />
        <source>Receiving as %1 on %2:%3 (from: %4)</source>
        <translation>正在以 %1 接收，地址 %2:%3（允许：%4）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_wiring.py" line="109" />
        <source>Import CT series folder</source>
        <translation>导入CT序列文件夹</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_wiring.py" line="129" />
        <source>Start receiving first: the demo scanner sends to this station's receiver.</source>
        <translation>请先开始接收：演示扫描仪发送到本工位的接收端。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_wiring.py" line="138" />
        <source>demo scanner: simulating and pushing a series…</source>
        <translation>演示扫描仪：正在模拟并推送序列…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_wiring.py" line="141" />
        <source>demo scanner %1: %2 of %3 files accepted</source>
        <translation>演示扫描仪 %1：%3 个文件中接收 %2 个</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_wiring.py" line="148" />
        <source>Import: %1 new file(s), %2 already stored (duplicates), %3 conflict(s), %4 rejected; %5 series, %6 unchanged.</source>
        <translation>导入：新文件 %1 个，已保存过 %2 个（重复），冲突 %3 个，拒收 %4 个；序列 %5 个，未变化 %6 个。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_wiring.py" line="165" />
        <source>A conflict is a stored SOP Instance UID with other content: the first copy is kept, the new file quarantined (Rejected tab).</source>
        <translation>冲突指已保存的 SOP Instance UID 收到了不同内容：保留第一份，新文件已隔离（见“已拒收”页）。</translation>
    </message>
</context>
<context>
    <name>QcPlots</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="117" />
        <source>MTF (bead)</source>
        <translation>MTF（钨珠）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="121" />
        <source>NPS</source>
        <translation>NPS</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="123" />
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="138" />
        <source>measured</source>
        <translation>测量值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="124" />
        <source>identity</source>
        <translation>理想线</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="126" />
        <source>uniformity</source>
        <translation>均匀性</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="128" />
        <source>ring residual</source>
        <translation>环形残差</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="133" />
        <source>MTF / TTF</source>
        <translation>MTF / TTF</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="133" />
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="135" />
        <source>frequency</source>
        <translation>频率</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="135" />
        <source>Noise power spectrum</source>
        <translation>噪声功率谱</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="137" />
        <source>CT-number linearity</source>
        <translation>CT值线性</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="137" />
        <source>nominal</source>
        <translation>标称值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="139" />
        <source>Radial profiles</source>
        <translation>径向剖面</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="139" />
        <source>radius</source>
        <translation>半径</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="140" />
        <source>deviation</source>
        <translation>偏差</translation>
    </message>
</context>
<context>
    <name>QcResultTabs</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="293" />
        <source>Measurements</source>
        <translation>测量结果</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="293" />
        <source>Artifacts</source>
        <translation>伪影</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="294" />
        <source>Plots</source>
        <translation>曲线</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="294" />
        <source>Trend</source>
        <translation>趋势</translation>
    </message>
</context>
<context>
    <name>QcSliceView</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_viewer.py" line="160" />
        <source>limits</source>
        <translation>限值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_viewer.py" line="63" />
        <location filename="../../station_plugins/ct_qc/ui_viewer.py" line="164" />
        <source>Click an ROI to see its numbers.</source>
        <translation>点击感兴趣区查看数值。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_viewer.py" line="104" />
        <source>slice %1 / %2, z %3 mm</source>
        <translation>层 %1 / %2，z %3 mm</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_viewer.py" line="129" />
        <source>at (%1, %2) px, radius %3 px</source>
        <translation>位于 (%1, %2) px，半径 %3 px</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_viewer.py" line="162" />
        <source>Module</source>
        <translation>模块</translation>
    </message>
</context>
<context>
    <name>RejectedTable</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="136" />
        <source>not kept (too large)</source>
        <translation>未保留（过大）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="148" />
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="148" />
        <source>File / sender</source>
        <translation>文件 / 发送方</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="149" />
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_intake.py" line="149" />
        <source>Quarantined as</source>
        <translation>隔离位置</translation>
    </message>
</context>
<context>
    <name>ResultActions</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="27" />
        <source>Analyse the series first; only an analysed result can become the baseline.</source>
        <translation>请先分析该序列；只有已分析的结果才能设为基线。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="50" />
        <source>Accept as baseline of scanner %1</source>
        <translation>接受为扫描仪 %1 的基线</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="51" />
        <source>Series %1, analysed %2, verdict %3. Later analyses of this scanner are checked against its constancy limits.</source>
        <translation>序列 %1，分析于 %2，结论 %3。此扫描仪以后的分析将按其稳定性限值检查。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="57" />
        <source>Baseline of %1 set and signed.</source>
        <translation>%1 的基线已设置并签名。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="81" />
        <source>Choose a series first.</source>
        <translation>请先选择序列。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="94" />
        <source>Series archived to %1: all %2 instances confirmed by storage commitment.</source>
        <translation>序列已归档到 %1：全部 %2 个实例已经存储承诺确认。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="103" />
        <source>NOT archived: %1 of %2 instances confirmed by %3.</source>
        <translation>未归档：%3 仅确认了 %2 个实例中的 %1 个。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="106" />
        <source>Check the PACS, then archive again.</source>
        <translation>请检查PACS，然后重新归档。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="114" />
        <source>Analyse the series first.</source>
        <translation>请先分析该序列。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="119" />
        <source>Save PDF report</source>
        <translation>保存PDF报告</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_actions.py" line="133" />
        <source>Report written: %1</source>
        <translation>报告已生成：%1</translation>
    </message>
</context>
<context>
    <name>SeriesTable</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="159" />
        <source>No series yet. Import a folder, receive from the scanners or simulate a series; each complete series is listed here.</source>
        <translation>暂无序列。请导入文件夹、接收扫描仪图像或模拟序列；每个接收完整的序列都会列在这里。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="99" />
        <source>HOLD</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="103" />
        <source>Scanner on hold: %1 (by %2)</source>
        <translation>扫描仪已暂停放行：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="106" />
        <source>accepted baseline of this scanner</source>
        <translation>此扫描仪已接受的基线</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="118" />
        <source>receiving…</source>
        <translation>接收中…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="118" />
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="119" />
        <source>analysing…</source>
        <translation>分析中…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="120" />
        <source>received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="131" />
        <source>AI and physics disagree</source>
        <translation>AI与物理检测结论不一致</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="145" />
        <source>archived</source>
        <translation>已归档</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="148" />
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="149" />
        <source>%1 of %2 instances committed</source>
        <translation>%2 个实例中已确认 %1 个</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="170" />
        <source>Scanner</source>
        <translation>扫描仪</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="170" />
        <source>Acquired</source>
        <translation>采集时间</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="171" />
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="171" />
        <source>Physics</source>
        <translation>物理检测</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="171" />
        <source>AI</source>
        <translation>AI</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="172" />
        <source>PACS</source>
        <translation>PACS</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="200" />
        <source>%1 images</source>
        <translation>%1 幅图像</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="205" />
        <source>CT shift</source>
        <translation>CT 值偏移</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="120" />
        <source>blur</source>
        <translation>模糊</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="206" />
        <source>n/a</source>
        <translation>不适用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_series.py" line="206" />
        <source>unsure</source>
        <translation>不确定</translation>
    </message>
</context>
<context>
    <name>TrendView</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="254" />
        <source>No result of this scanner has this measurement (its phantom may lack it): choose another.</source>
        <translation>该扫描仪的结果中没有此测量项（其体模可能不含此项）：请选择其他测量项。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="220" />
        <source>Trend not available: %1</source>
        <translation>趋势不可用：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="244" />
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n 个结果</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="251" />
        <source>Scanner serial</source>
        <translation>设备序列号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_results.py" line="252" />
        <source>Measurement</source>
        <translation>测量项</translation>
    </message>
</context>
<context>
    <name>VerdictStrip</name>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="143" />
        <source>AI check running…</source>
        <translation>AI 检查进行中…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="145" />
        <source>no AI verdict stored</source>
        <translation>未存储AI结论</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="147" />
        <source>AI check unavailable: %1 - physics checks only</source>
        <translation>AI 检查不可用：%1 - 仅物理检测</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="151" />
        <source>AI not applicable to this series (%1) - physics decides alone</source>
        <translation>AI 不适用于此序列（%1）- 由物理检测单独判定</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="150" />
        <source>normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="152" />
        <source>sent to image review</source>
        <translation>已送影像复核</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="157" />
        <source>Physics</source>
        <translation>物理检测</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="158" />
        <source>AI</source>
        <translation>AI</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="166" />
        <source>AI and physics disagree</source>
        <translation>AI与物理检测结论不一致</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="167" />
        <source>The series was queued for a reviewer at the image-review station.</source>
        <translation>该序列已进入影像复核工位的复核队列。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="170" />
        <source>accepted baseline</source>
        <translation>已接受的基线</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="172" />
        <source>baseline: %1 (%2)</source>
        <translation>基线：%1（%2）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="176" />
        <source>no baseline</source>
        <translation>无基线</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="182" />
        <source>not archived</source>
        <translation>未归档</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="184" />
        <source>archived (%1 instances committed)</source>
        <translation>已归档（%1 个实例已确认）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/ct_qc/ui_verdicts.py" line="186" />
        <source>archive failed: %1 of %2 committed</source>
        <translation>归档失败：%2 个中确认 %1 个</translation>
    </message>
</context>
</TS>