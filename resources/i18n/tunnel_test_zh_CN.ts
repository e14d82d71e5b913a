<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>LivePlot</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="191" />
        <source>Signal</source>
        <translation>信号</translation>
    </message>
</context>
<context>
    <name>PromptBox</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="229" />
        <source>Operator prompt</source>
        <translation>操作员提示</translation>
    </message>
</context>
<context>
    <name>SequenceEditorDialog</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="136" />
        <source>Sequence editor</source>
        <translation>测试序列编辑器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="137" />
        <source>Open as new draft</source>
        <translation>以新草稿打开</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="138" />
        <source>Release (e-signature)...</source>
        <translation>发布（电子签名）…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="139" />
        <source>Validate</source>
        <translation>校验</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="140" />
        <source>Save as new version</source>
        <translation>另存为新版本</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="184" />
        <source>New draft: edit, validate, then save as a new version.</source>
        <translation>新草稿：编辑、校验，然后另存为新版本。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="196" />
        <source>Valid: %1 v%2, %3 steps.</source>
        <translation>校验通过：%1 v%2，%3 个步骤。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="207" />
        <source>Saved %1 v%2 as a draft (engineers only; records not releasable).</source>
        <translation>已将 %1 v%2 保存为草稿（仅限工程师；记录不可放行）。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="222" />
        <source>Release sequence %1 v%2 for operators</source>
        <translation>发布测试序列 %1 v%2 供操作员使用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="224" />
        <source>The released file is the draft with status: released.</source>
        <translation>发布文件即状态改为“已发布”（released）的草稿。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_sequence_editor.py" line="228" />
        <source>Released %1 v%2; operators can run it.</source>
        <translation>已发布 %1 v%2；操作员可以运行。</translation>
    </message>
</context>
<context>
    <name>StateBanner</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="84" />
        <source>READY</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="84" />
        <source>RUNNING</source>
        <translation>测试中</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="84" />
        <source>PASS</source>
        <translation>合格</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="85" />
        <source>WARN</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="85" />
        <source>FAIL</source>
        <translation>不合格</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="85" />
        <source>ERROR</source>
        <translation>错误</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="86" />
        <source>ABORTED</source>
        <translation>已中止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_tunnel_parts.py" line="86" />
        <source>INTERRUPTED</source>
        <translation>已中断</translation>
    </message>
</context>
<context>
    <name>TunnelPanel</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="1" />
        <source>automatic (signed criteria)</source>
        <translation>自动放行（已签名的放行准则）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="1" />
        <source>by e-signature</source>
        <translation>电子签名放行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="1" />
        <source>blocked</source>
        <translation>已阻止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="1" />
        <source>no signed automatic-release criteria</source>
        <translation>没有已签名的自动放行准则</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="1" />
        <source>draft / single-step / unattended run: not releasable</source>
        <translation>草稿 / 单步 / 无人值守测试：不可放行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="1" />
        <source>disposition %1</source>
        <translation>结论 %1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="1" />
        <source>journal integrity check failed (%1); a supervisor must decide under e-signature</source>
        <translation>日志完整性校验未通过（%1）；须由主管以电子签名作出决定</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="168" />
        <source>Scan the serial (Enter starts)</source>
        <translation>扫描序列号（回车开始）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="169" />
        <source>step key (single step)</source>
        <translation>步骤键（单步）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="170" />
        <source>Released sequence</source>
        <translation>已发布序列</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="171" />
        <source>Draft sequence (engineering)</source>
        <translation>草稿序列（工程）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="172" />
        <source>Single step (engineering)</source>
        <translation>单步（工程）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="175" />
        <source>Serial</source>
        <translation>序列号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="176" />
        <source>Socket</source>
        <translation>工位</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="177" />
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="178" />
        <source>Abort...</source>
        <translation>中止…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="182" />
        <source>Release (e-signature)...</source>
        <translation>放行（电子签名）…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="183" />
        <source>Live signal</source>
        <translation>实时信号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="184" />
        <source>Recent units</source>
        <translation>最近整机</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="232" />
        <source>Checking route of %1 in the MES...</source>
        <translation>正在 MES 中核对 %1 的工艺路线…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="265" />
        <source>Run %1 - %2</source>
        <translation>测试 %1 - %2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="295" />
        <source>The runner process stopped unexpectedly; the run is kept in the journal. Resume or abort it.</source>
        <translation>测试进程意外停止；本次测试已保存在日志中。请继续或中止。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="330" />
        <source>about %1 left</source>
        <translation>约剩 %1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="376" />
        <source>Abort run</source>
        <translation>中止测试</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="377" />
        <source>Reason for the abort:</source>
        <translation>中止原因：</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="394" />
        <source>Record %1 committed; release: %2 (%3)</source>
        <translation>记录 %1 已提交；放行：%2（%3）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="409" />
        <source>Generator kV 6 % high</source>
        <translation>高压发生器 kV 偏高 6 %</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="410" />
        <source>Leaky protective earth</source>
        <translation>保护接地漏电</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="411" />
        <source>Weak lift brake</source>
        <translation>升降制动器无力</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="412" />
        <source>Image defect (AI check)</source>
        <translation>图像缺陷（AI 判读）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="413" />
        <source>kVp meter calibration expired</source>
        <translation>kVp 表校准过期</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="414" />
        <source>No fault</source>
        <translation>无故障</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="419" />
        <source>Demo: the next run simulates: %1</source>
        <translation>演示：下一次测试模拟：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="432" />
        <source>Release unit %1</source>
        <translation>放行整机 %1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="433" />
        <source>Tunnel test %1, record %2</source>
        <translation>测试隧道结果 %1，记录 %2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="441" />
        <source>Released by e-signature; MES release queued for %1.</source>
        <translation>已电子签名放行；%1 的 MES 放行消息已排队。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="518" />
        <source>Run active</source>
        <translation>测试进行中</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/panel.py" line="519" />
        <source>A test run is active; abort it first.</source>
        <translation>有测试正在进行；请先中止。</translation>
    </message>
</context>
<context>
    <name>StepTableModel</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_table.py" line="1" />
        <source>Measurement</source>
        <translation>测量项</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_table.py" line="1" />
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_table.py" line="1" />
        <source>Value</source>
        <translation>测量值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_table.py" line="1" />
        <source>Limits</source>
        <translation>限值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_table.py" line="1" />
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_table.py" line="1" />
        <source>AI</source>
        <translation>AI</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_table.py" line="1" />
        <source>disagrees</source>
        <translation>与判定不一致</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_table.py" line="1" />
        <source>to review</source>
        <translation>待复核</translation>
    </message>
</context>
<context>
    <name>SequenceChooser</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_panel_sequences.py" line="1" />
        <source>Edit sequences...</source>
        <translation>编辑序列…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_panel_sequences.py" line="1" />
        <source>Sequence version (operators: released only)</source>
        <translation>序列版本（操作员：仅已发布）</translation>
    </message>
</context>
<context>
    <name>OutboxStatus</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_panel_sequences.py" line="1" />
        <source>MES: %1 message(s) waiting, resending</source>
        <translation>MES：%1 条消息等待中，正在重发</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_panel_sequences.py" line="1" />
        <source>MES: all messages delivered</source>
        <translation>MES：所有消息已送达</translation>
    </message>
</context>
<context>
    <name>InterruptedRunBar</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>Resume...</source>
        <translation>继续…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>Abort and record...</source>
        <translation>中止并记录…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>Interrupted run: %1 (%2) started %3</source>
        <translation>中断的测试：%1（%2），开始于 %3</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>Resume run</source>
        <translation>继续测试</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>Reason for resuming:</source>
        <translation>继续原因：</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>Abort interrupted run</source>
        <translation>中止中断的测试</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
</context>
<context>
    <name>IntegrityReview</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>Journal integrity decision...</source>
        <translation>日志完整性决定…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>Supervisor: accept or reject a run whose journal failed its integrity check (e-signature)</source>
        <translation>主管：对日志未通过完整性校验的测试作出接受或拒绝的决定（电子签名）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>journal accepted</source>
        <translation>接受日志</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>results rejected</source>
        <translation>拒绝结果</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>The journal of run %1 is intact; there is nothing to decide.</source>
        <translation>测试 %1 的日志完整，无需决定。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>Write the reason for the decision in the comment.</source>
        <translation>请在备注中填写决定的原因。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>Unit %1, run %2. The journal failed its integrity check: %3. Approved = accept the journal (the run may be released or resumed); Rejected = the results are not trusted, the unit is tested again. Write the reason in the comment.</source>
        <translation>整机 %1，测试 %2。日志未通过完整性校验：%3。批准 = 接受该日志（该测试可放行或继续）；拒绝 = 结果不可信，整机须重新测试。请在备注中填写原因。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>Current decision: %1 by %2 (%3).</source>
        <translation>当前决定：%1（%2，%3）。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>Journal integrity decision, run %1</source>
        <translation>日志完整性决定，测试 %1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_integrity.py" line="1" />
        <source>Decision recorded: %1 by %2 (signature %3).</source>
        <translation>决定已记录：%1，签名人 %2（签名 %3）。</translation>
    </message>
</context>
<context>
    <name>TunnelWords</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>door closed</source>
        <translation>舱门已关闭</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>ambient temperature</source>
        <translation>环境温度</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>humidity</source>
        <translation>湿度</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>beam on</source>
        <translation>射线开启</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>tube voltage</source>
        <translation>管电压</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>tube current</source>
        <translation>管电流</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>exposure inhibited</source>
        <translation>曝光被禁止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>exposure time</source>
        <translation>曝光时间</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>dose linearity</source>
        <translation>剂量线性</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>dose per mAs</source>
        <translation>每 mAs 剂量</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>coefficient of variation</source>
        <translation>变异系数</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>uniformity</source>
        <translation>均匀性</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>defect contrast</source>
        <translation>缺陷对比度</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>signal</source>
        <translation>信号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>limiting resolution</source>
        <translation>极限分辨率</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>modulation</source>
        <translation>调制度</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>lowest position</source>
        <translation>最低位置</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>highest position</source>
        <translation>最高位置</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>position</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>position errors</source>
        <translation>定位误差</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>brake slip</source>
        <translation>制动滑移</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>brake holds</source>
        <translation>制动保持</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>motor current (RMS)</source>
        <translation>电机电流（有效值）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>motor current (peak)</source>
        <translation>电机电流（峰值）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>axes stopped</source>
        <translation>运动轴已停止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>earth resistance</source>
        <translation>接地电阻</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>leakage current</source>
        <translation>漏电流</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>response time</source>
        <translation>响应时间</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>beam inhibited</source>
        <translation>射线被禁止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>motion stopped</source>
        <translation>运动已停止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>stopping time</source>
        <translation>停止时间</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>stopping distance</source>
        <translation>停止距离</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>reset works</source>
        <translation>复位有效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>yes/no</source>
        <translation>是/否</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>ratio</source>
        <translation>比值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>released</source>
        <translation>已发布</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>shipped</source>
        <translation>随软件提供</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_words.py" line="1" />
        <source>library</source>
        <translation>序列库</translation>
    </message>
</context>
<context>
    <name>RecentUnits</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>%1 %2, run %3, started %4 UTC</source>
        <translation>%1 %2，运行 %3，开始于 %4 UTC</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>aborted</source>
        <translation>已中止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>unfinished</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_runs.py" line="1" />
        <source>journal write failed</source>
        <translation>日志写入失败</translation>
    </message>
</context>
<context>
    <name>StepDetail</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_detail.py" line="1" />
        <source>Select a step to see its measurements whole.</source>
        <translation>选择一个步骤以查看其完整测量项。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_detail.py" line="1" />
        <source>limits</source>
        <translation>限值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_step_detail.py" line="1" />
        <source>AI</source>
        <translation>AI</translation>
    </message>
</context>
<context>
    <name>TunnelReasons</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>condition: %1</source>
        <translation>条件：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>precondition: %1</source>
        <translation>前置条件：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>group '%1' condition: %2</source>
        <translation>组“%1”的条件：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>%1 did not answer within %2 s</source>
        <translation>%1 在 %2 秒内无应答</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>model '%1' not available</source>
        <translation>模型“%1”不可用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>output '%1' missing</source>
        <translation>缺少输出“%1”</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>confidence %1 &lt; %2</source>
        <translation>置信度 %1 &lt; %2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>no answer within %1 s</source>
        <translation>%1 秒内无结果</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>journal write failed: %1</source>
        <translation>日志写入失败：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>aborted while waiting for the operator</source>
        <translation>等待操作员时中止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>aborted by %1: %2</source>
        <translation>由 %1 中止：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>calibration expired: %1</source>
        <translation>校准已过期：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>setup step '%1' did not pass</source>
        <translation>准备步骤“%1”未通过</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>OPC UA method %1 answered %2</source>
        <translation>OPC UA 方法 %1 返回 %2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>'%1' answered %2</source>
        <translation>“%1”返回 %2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>OPC UA method %1 did not answer within %2 s</source>
        <translation>OPC UA 方法 %1 在 %2 秒内无应答</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>OPC UA method %1 failed: %2</source>
        <translation>OPC UA 方法 %1 执行失败：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>OPC UA read failed: %1</source>
        <translation>OPC UA 读数失败：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>OPC UA read of %1 values timed out</source>
        <translation>OPC UA 读取 %1 个数值超时</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>no OPC UA connection to %1 (waited %2 s)</source>
        <translation>与 %1 没有 OPC UA 连接（已等待 %2 秒）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>OPC UA connection lost during %1: %2</source>
        <translation>执行 %1 时 OPC UA 连接中断：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>OPC UA server %1 not reachable within %2 s: %3</source>
        <translation>OPC UA 服务器 %1 在 %2 秒内连不上：%3</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>OPC UA server %1 not reachable within %2 s</source>
        <translation>OPC UA 服务器 %1 在 %2 秒内连不上</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>OPC UA session with %1 refused: %2</source>
        <translation>OPC UA 服务器 %1 拒绝建立会话：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>the server refused the user identity '%1' (%2)</source>
        <translation>服务器拒绝了用户身份“%1”：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>the server refused this workstation's certificate (%1): %2; its administrator must add it to the server's trust list</source>
        <translation>服务器拒绝了本工作站的证书（%1）：%2；须由服务器管理员把它加入服务器的信任列表</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>the server rejected security %1 (%2)</source>
        <translation>服务器拒绝了安全模式 %1：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>The tunnel server %1 offers no unsecured endpoint (it offers %2) and this workstation is configured for security None.</source>
        <translation>隧道服务器 %1 不提供不加密的端点（只提供 %2），而本工作站配置的安全模式是 None。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>The tunnel server %1 offers no Basic256Sha256 %2 endpoint (configured [opcua] security = %3).</source>
        <translation>隧道服务器 %1 不提供 Basic256Sha256 %2 端点（本工作站配置 [opcua] security = %3）。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>The tunnel server certificate '%1' (SHA-1 thumbprint %2) is not in the trust list %3; the connection was refused. A copy was saved to %4.</source>
        <translation>隧道服务器证书“%1”（SHA-1 指纹 %2）不在信任列表 %3 中，连接已拒绝。证书副本已存到 %4。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>The tunnel server certificate '%1' (SHA-1 thumbprint %2) expired on %3.</source>
        <translation>隧道服务器证书“%1”（SHA-1 指纹 %2）已于 %3 过期。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>driver call '%1' was abandoned</source>
        <translation>驱动调用“%1”已放弃</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>unknown driver call '%1'</source>
        <translation>未知的驱动调用“%1”</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>driver call '%1' needs argument '%2'</source>
        <translation>驱动调用“%1”缺少参数“%2”</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>'%1' returned %2 values, expected %3</source>
        <translation>“%1”返回了 %2 个数值，应为 %3 个</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>unknown variable '%1'</source>
        <translation>未知的变量“%1”</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>simulated driver exception in '%1'</source>
        <translation>模拟驱动“%1”出现异常</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>MES at %1 not reachable: %2</source>
        <translation>MES（%1）连不上：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>MES answered HTTP %1 for %2</source>
        <translation>MES 对 %2 返回 HTTP %1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_reason_words.py" line="1" />
        <source>unit not reachable: %1</source>
        <translation>连不上设备：%1</translation>
    </message>
</context>
<context>
    <name>TunnelDeviceCodes</name>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>a command argument is not valid</source>
        <translation>命令参数无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>a message from the device could not be decoded</source>
        <translation>设备发来的报文无法解码</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>a message to the device could not be encoded</source>
        <translation>发给设备的报文无法编码</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>communication with the device failed (network)</source>
        <translation>与设备通讯失败（网络故障）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>configuration error in the device</source>
        <translation>设备配置错误</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>internal error in the device's server</source>
        <translation>设备服务器内部出错</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>no answer over the network in time</source>
        <translation>网络在规定时间内无应答</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>no communication with the device</source>
        <translation>与设备没有通讯</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>no network route to the device</source>
        <translation>网络上没有到设备的路由</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>not connected to the device</source>
        <translation>未连上设备</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>security check failed: certificate or signature not accepted</source>
        <translation>安全校验未通过：证书或签名不被接受</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the TLS handshake failed</source>
        <translation>TLS 握手失败</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the certificate has expired or is not yet valid</source>
        <translation>证书已过期或尚未生效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the certificate is not in the trust list</source>
        <translation>证书不在信任列表中</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the certificate is not valid</source>
        <translation>证书无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the certificate may not be used for this</source>
        <translation>证书不允许用于此用途</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the certificate was revoked</source>
        <translation>证书已被吊销</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the certificate's application URI does not match</source>
        <translation>证书中的应用 URI 不符</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the certificate's host name does not match</source>
        <translation>证书中的主机名不符</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the command is missing arguments</source>
        <translation>命令缺少参数</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the connection broke while sending</source>
        <translation>发送时连接中断</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the connection to the device was cut</source>
        <translation>与设备的连接被切断</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the connection was aborted</source>
        <translation>连接被中止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the data point address is not valid</source>
        <translation>数据点地址无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the data point cannot be read</source>
        <translation>该数据点不能读</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the data point cannot be written</source>
        <translation>该数据点不能写</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device address (endpoint URL) is wrong</source>
        <translation>设备地址（端点 URL）有误</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device closed the connection</source>
        <translation>设备断开了连接</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device closed the session</source>
        <translation>设备关闭了会话</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device did not answer in time</source>
        <translation>设备在规定时间内无应答</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device does not implement this</source>
        <translation>设备没有实现此功能</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device does not support this</source>
        <translation>设备不支持此操作</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device does not support this service</source>
        <translation>设备不支持此服务</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device dropped the connection</source>
        <translation>设备断开了连接</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device has no item of that name</source>
        <translation>设备上找不到这个名称的项</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device has no such command</source>
        <translation>设备上没有这个命令</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device has no such data point</source>
        <translation>设备上没有这个数据点</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device has no value yet</source>
        <translation>设备还没有数值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device is not in a state that allows this</source>
        <translation>设备当前状态不允许此操作</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device is out of service</source>
        <translation>设备已停用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device refused the connection</source>
        <translation>设备拒绝连接</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device refused the connection: nothing listens at that address</source>
        <translation>设备拒绝连接：该地址上没有服务在运行</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device refused the log-in (user name or password)</source>
        <translation>设备拒绝登录（用户名或密码不对）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device refused the security mode</source>
        <translation>设备拒绝该安全模式</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device refused the security policy</source>
        <translation>设备拒绝该安全策略</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device reports a hardware failure</source>
        <translation>设备报硬件故障</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device reports a sensor failure</source>
        <translation>设备报传感器故障</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device's host name was not found</source>
        <translation>找不到设备的主机名</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device's server accepts no more sessions</source>
        <translation>设备服务器的会话数已满</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device's server has no free resources</source>
        <translation>设备服务器资源不足</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device's server has stopped</source>
        <translation>设备服务器已停止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device's server is not connected</source>
        <translation>设备服务器未连接</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device's server is out of memory</source>
        <translation>设备服务器内存不足</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the device's server is shutting down</source>
        <translation>设备服务器正在关闭</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the item name is not valid</source>
        <translation>项名称无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the log-in identity is not valid</source>
        <translation>登录身份无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the name server could not be asked (temporary)</source>
        <translation>暂时无法查询域名服务器</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the network is unreachable</source>
        <translation>网络不通</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the other side does not speak TLS (plain HTTP?)</source>
        <translation>对方不是 TLS 服务（可能是普通 HTTP）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the request timed out at the device</source>
        <translation>请求在设备端超时</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the request was interrupted</source>
        <translation>请求被中断</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the secured link to the device is no longer valid</source>
        <translation>与设备的加密通道已失效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the secured link to the device was closed</source>
        <translation>与设备的加密通道已关闭</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the security handshake failed</source>
        <translation>安全握手失败</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the server does not trust this workstation's certificate</source>
        <translation>服务器不信任本工作站的证书</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the server's TLS certificate is not trusted</source>
        <translation>服务器的 TLS 证书不受信任</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the session with the device is no longer valid</source>
        <translation>与设备的会话已失效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the session with the device was not activated</source>
        <translation>与设备的会话未激活</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the two sides share no TLS version</source>
        <translation>双方没有共同支持的 TLS 版本</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the user has no access rights</source>
        <translation>该用户没有访问权限</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the user's signature is not valid</source>
        <translation>用户签名无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the value has the wrong data type</source>
        <translation>数值的数据类型不对</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the value is out of range</source>
        <translation>数值超出范围</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>the workstation's signature is not valid</source>
        <translation>工作站签名无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>too many operations in one request</source>
        <translation>一次请求的操作太多</translation>
    </message>
    <message>
        <location filename="../../station_plugins/tunnel_test/ui_device_words.py" line="1" />
        <source>unexpected error in the device's server</source>
        <translation>设备服务器发生意外错误</translation>
    </message>
</context>
</TS>
