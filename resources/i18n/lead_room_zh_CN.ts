<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AlarmPanel</name>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="29" />
        <source>FIRST OUT</source>
        <translation>首发报警</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="76" />
        <source>Active</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="76" />
        <source>Unacknowledged</source>
        <translation>未确认</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="77" />
        <source>Shelved</source>
        <translation>已搁置</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="77" />
        <source>Suppressed</source>
        <translation>已抑制</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="78" />
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="160" />
        <source>Out of service</source>
        <translation>停用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="80" />
        <source>Shelve...</source>
        <translation>搁置…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="80" />
        <source>Unshelve</source>
        <translation>取消搁置</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="81" />
        <source>Room maintenance...</source>
        <translation>铅房维护…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="82" />
        <source>Out of service...</source>
        <translation>停用…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="83" />
        <source>Return to service</source>
        <translation>恢复启用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="102" />
        <source>Flood: %1 (%2 in %3 min)   Chattering: %4   Stale (&gt;24 h): %5</source>
        <translation>报警泛滥：%1（%3 分钟内 %2 次）   振荡报警：%4   陈旧报警（&gt;24 小时）：%5</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="103" />
        <source>YES</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="103" />
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="120" />
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="121" />
        <source>Comment (optional):</source>
        <translation>备注（可选）：</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="129" />
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="133" />
        <source>Shelve alarm</source>
        <translation>搁置报警</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="130" />
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="151" />
        <source>Reason (required):</source>
        <translation>原因（必填）：</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="133" />
        <source>Minutes:</source>
        <translation>分钟：</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="143" />
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="150" />
        <source>Room maintenance</source>
        <translation>铅房维护</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="143" />
        <source>Room:</source>
        <translation>铅房：</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_alarms.py" line="161" />
        <source>Permit number:</source>
        <translation>许可证编号：</translation>
    </message>
</context>
<context>
    <name>AlarmText</name>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="13" />
        <source>Door open while beam on: interlock failure</source>
        <translation>出束时门打开：联锁失效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="14" />
        <source>Stop exposure (e-stop), keep people out, record an incident; the hard-wired interlock must be repaired before further use.</source>
        <translation>停止曝光（急停），禁止人员进入，记录事件；硬接线联锁修复前不得继续使用。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="15" />
        <source>Boundary dose rate very high</source>
        <translation>边界剂量率过高（超高）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="16" />
        <source>Stop exposure, clear the area around the room, call the RSO.</source>
        <translation>停止曝光，清空铅房周围区域，通知辐射安全负责人。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="17" />
        <source>Boundary dose rate above 2.5 uSv/h</source>
        <translation>边界剂量率高于 2.5 uSv/h</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="18" />
        <source>Stop exposure, check shielding and door seals, survey the point.</source>
        <translation>停止曝光，检查屏蔽和门缝密封，对该点进行巡测。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="19" />
        <source>Radiation monitor fault or stale data</source>
        <translation>辐射监测仪故障或数据陈旧</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="20" />
        <source>No exposure without a working monitor: check the monitor and its gateway link.</source>
        <translation>监测仪不正常时不得曝光：检查监测仪及其网关链路。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="21" />
        <source>Dose-rate data invalid or stale</source>
        <translation>剂量率数据无效或陈旧</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="22" />
        <source>Check the dose-rate instrument and its gateway channel.</source>
        <translation>检查剂量率仪表及其网关通道。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="23" />
        <source>Interlock bypass key active</source>
        <translation>联锁旁路钥匙已启用</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="24" />
        <source>Only with a signed permit; remove the key after the maintenance task.</source>
        <translation>仅凭签署的许可使用；维护任务完成后拔出钥匙。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="25" />
        <source>Radiation monitor calibration expired</source>
        <translation>辐射监测仪校准已过期</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="26" />
        <source>Have the monitor calibrated; record the certificate.</source>
        <translation>送检校准监测仪；记录校准证书。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="27" />
        <source>Dose-rate reading frozen (stuck sensor)</source>
        <translation>剂量率读数冻结（传感器卡滞）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="28" />
        <source>Check the instrument: a live reading always fluctuates.</source>
        <translation>检查仪表：正常读数总会有波动。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="29" />
        <source>Gateway connection lost: all values invalid</source>
        <translation>网关连接中断：所有数值无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="30" />
        <source>Check the gateway and network; the station keeps reconnecting. Rooms are unmonitored until then.</source>
        <translation>检查网关和网络；工作站会持续重连。在此之前铅房处于无监控状态。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="31" />
        <source>Room temperature high</source>
        <translation>铅房温度高</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="32" />
        <source>Room humidity high</source>
        <translation>铅房湿度高</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="33" />
        <source>Emergency stop pressed</source>
        <translation>急停已按下</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="34" />
        <source>Live monitoring stopped - values and alarms are not evaluated</source>
        <translation>实时监控已停止 - 数值和报警未被评估</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="35" />
        <source>It restarts by itself within seconds; if this stays, restart Pharos and call the administrator.</source>
        <translation>它会在数秒内自动重启；如持续存在，请重启 Pharos 并联系管理员。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="36" />
        <source>Signals not monitored by the gateway link (data quality)</source>
        <translation>信号未被网关链路监控（数据质量）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_texts.py" line="37" />
        <source>The listed signals show no live value. Check the gateway&apos;s configuration (node removed or renamed, access rights, monitored-item limit); the station retries by itself and clears this alarm when they update again.</source>
        <translation>所列信号没有实时值。请检查网关配置（节点被删除或改名、访问权限、监控项数量上限）；工作站会自动重试，信号恢复更新后本报警自动清除。</translation>
    </message>
</context>
<context>
    <name>ChecklistItems</name>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="21" />
        <source>Door-machine interlock tested: opening a door stops exposure</source>
        <translation>门机联锁已测试：开门即停止曝光</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="22" />
        <source>Closing the door does not restart exposure by itself</source>
        <translation>关门后不会自动恢复曝光</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="23" />
        <source>Ready and irradiating lights and the audible warning work</source>
        <translation>准备灯、照射指示灯和声音警告正常</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="24" />
        <source>Emergency stops tested</source>
        <translation>急停按钮已测试</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="25" />
        <source>Fixed radiation monitor responds (function check)</source>
        <translation>固定式辐射监测仪响应正常（功能检查）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="26" />
        <source>No interlock bypass key inserted</source>
        <translation>未插入联锁旁路钥匙</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="27" />
        <source>Calibration of the monitor is valid</source>
        <translation>监测仪校准在有效期内</translation>
    </message>
</context>
<context>
    <name>ChecklistView</name>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="160" />
        <source>Pre-shift safety checklist (GBZ 117-2022 5.1.2)</source>
        <translation>班前安全检查表（GBZ 117-2022 5.1.2）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="163" />
        <source>Remarks</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="164" />
        <source>Sign checklist...</source>
        <translation>签署检查表…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>Pre-shift safety checklist: %1</source>
        <translation>班前安全检查表：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>All %1 items checked and OK.</source>
        <translation>全部 %1 项已检查，均合格。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>NOT all items OK (%1 of %2): %3</source>
        <translation>未全部合格（%2 项中 %1 项不合格）：%3</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>Remarks: %1</source>
        <translation>备注：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>Verified: I performed these checks myself, before this shift</source>
        <translation>已验证：本人已在本班前亲自完成以上检查</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>Checklist %1 signed: %2</source>
        <translation>检查表 %1 已签署：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>; </source>
        <translation>；</translation>
    </message>
</context>
<context>
    <name>LeadRoomPanel</name>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="106" />
        <source>Overview</source>
        <translation>总览</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="106" />
        <source>Room</source>
        <translation>铅房</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="106" />
        <source>Alarms</source>
        <translation>报警</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="107" />
        <source>Schedule</source>
        <translation>排程</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="107" />
        <source>Dose &amp;&amp; energy</source>
        <translation>剂量与能耗</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="108" />
        <source>Checklist</source>
        <translation>检查表</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="110" />
        <source>Plan generated day (150 jobs)</source>
        <translation>排程生成的一天（150 个任务）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="111" />
        <source>Room down: re-plan</source>
        <translation>铅房停用：重新排程</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="127" />
        <source>Gateway: connecting...</source>
        <translation>网关：正在连接…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="129" />
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="129" />
        <source>connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="130" />
        <source>connection lost</source>
        <translation>连接中断</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="130" />
        <source>not trusted</source>
        <translation>证书不受信任</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="131" />
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="132" />
        <source>Gateway %1: %2</source>
        <translation>网关%1：%2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="156" />
        <source>%1 signals</source>
        <translation>%1 个信号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="157" />
        <source>reconnected; %1</source>
        <translation>已重连；%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="181" />
        <source>%1 - %2</source>
        <translation>%1 - %2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="182" />
        <source>%1 safety alarm(s) active, %2 unacknowledged.</source>
        <translation>%1 个安全报警活动，%2 个未确认。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="185" />
        <source>SAFETY: %1</source>
        <translation>安全：%1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="207" />
        <source>Room03: door open while beam on</source>
        <translation>Room03：曝光时铅房门打开</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="208" />
        <source>Room05: dose-rate excursion</source>
        <translation>Room05：剂量率超限</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="209" />
        <source>Room02: radiation monitor fault</source>
        <translation>Room02：辐射监测仪故障</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="210" />
        <source>Room04: emergency stop</source>
        <translation>Room04：急停</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="211" />
        <source>Clear every fault</source>
        <translation>清除所有故障</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="258" />
        <source>%1: %2 jobs in %3 rooms, utilisation %4, late %5, tardiness %6 min</source>
        <translation>%1：%2 个任务，%3 间铅房，利用率 %4，延误 %5 个，总延误 %6 分钟</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="0" />
        <source>First come, first served</source>
        <translation>先到先排</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="0" />
        <source>Priority dispatch plan</source>
        <translation>优先级派工计划</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="0" />
        <source>Optimised plan (CP-SAT)</source>
        <translation>优化计划（CP-SAT）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="0" />
        <source>Re-plan after a room went down</source>
        <translation>铅房停用后的重排计划</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/panel.py" line="0" />
        <source>, moved by hand</source>
        <translation>，含手动调整</translation>
    </message>
</context>
<context>
    <name>ReportsView</name>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="80" />
        <source>Point</source>
        <translation>关注点</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="80" />
        <source>Area</source>
        <translation>区域</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="80" />
        <source>Week dose uSv</source>
        <translation>周剂量 uSv</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="81" />
        <source>Reference uSv</source>
        <translation>参考水平 uSv</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="81" />
        <source>Coverage</source>
        <translation>数据覆盖率</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="81" />
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="83" />
        <source>Room</source>
        <translation>铅房</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="83" />
        <source>Standby kWh</source>
        <translation>待机 kWh</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="83" />
        <source>Standby share</source>
        <translation>待机占比</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="84" />
        <source>Recoverable heat kWh</source>
        <translation>可回收热量 kWh</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="84" />
        <source>Mean temp C</source>
        <translation>平均温度 C</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="85" />
        <source>Compute (last 7 days / 24 h)</source>
        <translation>计算（最近 7 天 / 24 小时）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="86" />
        <source>Weekly integrated dose per point of interest (net of background) vs reference: 100 uSv workers, 5 uSv public</source>
        <translation>各关注点周累积剂量（扣除本底）与参考水平对比：职业人员 100 uSv，公众 5 uSv</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="89" />
        <source>Energy per room, last 24 h (standby &lt; 1 kW; heat recovery at 60 %)</source>
        <translation>各铅房能耗，最近 24 小时（待机 &lt; 1 kW；按 60 % 回收热量）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>No historian: live monitoring has not started.</source>
        <translation>无历史数据库：实时监控尚未启动。</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>Computing...</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>Computed at %1</source>
        <translation>计算于 %1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>INCOMPLETE</source>
        <translation>数据不全</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>worker</source>
        <translation>职业人员</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_reports.py" line="0" />
        <source>public</source>
        <translation>公众</translation>
    </message>
</context>
<context>
    <name>RoomDetail</name>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="28" />
        <source>Boundary dose rate (uSv/h)</source>
        <translation>边界剂量率（uSv/h）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="29" />
        <source>Temperature (C)</source>
        <translation>温度（C）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="30" />
        <source>Power (kW)</source>
        <translation>功率（kW）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="93" />
        <source>Select a room in the overview</source>
        <translation>请在总览中选择一间铅房</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="94" />
        <source>Signal</source>
        <translation>信号</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="94" />
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="95" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="95" />
        <source>Source time</source>
        <translation>源时间</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="96" />
        <source>Received</source>
        <translation>接收时间</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_detail.py" line="141" />
        <source>INVALID</source>
        <translation>无效</translation>
    </message>
</context>
<context>
    <name>RoomOverview</name>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="26" />
        <source>INVALID</source>
        <translation>无效</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="69" />
        <source>Waiting for the gateway: no room data yet</source>
        <translation>等待网关：尚无铅房数据</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="104" />
        <source>MAINT</source>
        <translation>维护</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="105" />
        <source>BEAM ON</source>
        <translation>出束</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="106" />
        <source>READY</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="106" />
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="112" />
        <source>POI max</source>
        <translation>关注点最大值</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="113" />
        <source>Doors open</source>
        <translation>开门数</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="114" />
        <source>Temp / kW</source>
        <translation>温度 / kW</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="117" />
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_overview.py" line="128" />
        <source>%1 alarm(s)</source>
        <translation>%1 个报警</translation>
    </message>
</context>
<context>
    <name>GanttView</name>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Job %1</source>
        <translation>任务 %1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Unit %1 · needs %2</source>
        <translation>被测设备 %1 · 需要 %2</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>%1 to %2 (%3 min)</source>
        <translation>%1 至 %2（%3 分钟）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Due %1</source>
        <translation>要求完成 %1</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>late by %1 min</source>
        <translation>延误 %1 分钟</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Moved by hand (override, audited)</source>
        <translation>已手动调整（人工改排，已审计）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Dropped outside the room rows</source>
        <translation>放在了铅房行之外</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Room</source>
        <translation>铅房</translation>
    </message>
</context>
<context>
    <name>GanttLegend</name>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Job (id · capability needed)</source>
        <translation>任务（编号 · 所需能力）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Late: ends after its due time</source>
        <translation>延误：结束晚于要求完成时间</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Moved by hand (audited)</source>
        <translation>已手动调整（已审计）</translation>
    </message>
    <message>
        <location filename="../../station_plugins/lead_room/ui_gantt.py" line="0" />
        <source>Drag a job to another room or time to override the plan; point at it for details.</source>
        <translation>将任务拖到其他铅房或时间即可人工改排；鼠标指向任务可查看详情。</translation>
    </message>
</context>
</TS>