<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>SetupWizard</name>
    <message>
        <source>Station identity</source>
        <translation>工位标识</translation>
    </message>
    <message>
        <source>How this workstation appears in records and on the plant view.</source>
        <translation>本工作站在记录和工厂视图中的显示方式。</translation>
    </message>
    <message>
        <source>Station id</source>
        <translation>工位编号</translation>
    </message>
    <message>
        <source>Station name</source>
        <translation>工位名称</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Demo mode: built-in simulators instead of PACS, OPC UA and MES</source>
        <translation>演示模式：使用内置模拟器代替 PACS、OPC UA 和 MES</translation>
    </message>
    <message>
        <source>Administrator account</source>
        <translation>管理员账户</translation>
    </message>
    <message>
        <source>The first account. It manages users and signs configuration changes. Enter the password twice.</source>
        <translation>第一个账户，用于管理用户并签署配置变更。请输入两次密码。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Full (printed) name</source>
        <translation>全名（打印姓名）</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>PACS</source>
        <translation>PACS</translation>
    </message>
    <message>
        <source>Where CT QC archives images, and how this station receives them.</source>
        <translation>CT 质控归档图像的位置，以及本工位接收图像的方式。</translation>
    </message>
    <message>
        <source>PACS AE title</source>
        <translation>PACS AE 名称</translation>
    </message>
    <message>
        <source>PACS host</source>
        <translation>PACS 主机</translation>
    </message>
    <message>
        <source>PACS port</source>
        <translation>PACS 端口</translation>
    </message>
    <message>
        <source>This station's AE title</source>
        <translation>本工位 AE 名称</translation>
    </message>
    <message>
        <source>This station's receiver port</source>
        <translation>本工位接收端口</translation>
    </message>
    <message>
        <source>Test (C-ECHO)</source>
        <translation>测试（C-ECHO）</translation>
    </message>
    <message>
        <source>OPC UA</source>
        <translation>OPC UA</translation>
    </message>
    <message>
        <source>The tunnel test C-arm and the lead-room gateway. A secured gateway proves itself with its certificate: check the thumbprint before you trust it.</source>
        <translation>隧道测试 C 形臂和铅房网关。安全网关以证书证明其身份：信任之前请核对指纹。</translation>
    </message>
    <message>
        <source>Tunnel test endpoint</source>
        <translation>隧道测试端点</translation>
    </message>
    <message>
        <source>Gateway endpoint</source>
        <translation>网关端点</translation>
    </message>
    <message>
        <source>Gateway security</source>
        <translation>网关安全模式</translation>
    </message>
    <message>
        <source>Show gateway certificate</source>
        <translation>显示网关证书</translation>
    </message>
    <message>
        <source>Trust this certificate</source>
        <translation>信任此证书</translation>
    </message>
    <message>
        <source>Certificate: not fetched</source>
        <translation>证书：尚未获取</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Fetching the certificate…</source>
        <translation>正在获取证书…</translation>
    </message>
    <message>
        <source>trusted</source>
        <translation>已信任</translation>
    </message>
    <message>
        <source>NOT trusted</source>
        <translation>未信任</translation>
    </message>
    <message>
        <source>Central database</source>
        <translation>中央数据库</translation>
    </message>
    <message>
        <source>PostgreSQL quality database of the plant. Leave empty to work local only; results wait in the outbox.</source>
        <translation>工厂的 PostgreSQL 质量数据库。留空则仅本地工作，结果保存在发件箱中等待同步。</translation>
    </message>
    <message>
        <source>Stations</source>
        <translation>工位</translation>
    </message>
    <message>
        <source>Which stations this workstation runs.</source>
        <translation>本工作站运行哪些工位。</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Finish writes the configuration file and records the change in the audit trail.</source>
        <translation>点击完成将写入配置文件，并在审计追踪中记录此变更。</translation>
    </message>
    <message>
        <source>Pharos – first-run setup</source>
        <translation>Pharos – 首次运行设置</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>工位</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>Receiver</source>
        <translation>接收端</translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation>网关</translation>
    </message>
    <message>
        <source>Configuration file</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <source>At least {n} characters, letters and digits, not containing the user name.</source>
        <translation>至少 {n} 个字符，包含字母和数字，且不得包含用户名。</translation>
    </message>
    <message>
        <source>Subject: {s}
Thumbprint (SHA-1): {t}
Valid until: {d}
State: {state}</source>
        <translation>主题：{s}
指纹（SHA-1）：{t}
有效期至：{d}
状态：{state}</translation>
    </message>
    <message>
        <source>The gateway must trust this workstation: {p} (thumbprint {t})</source>
        <translation>网关必须信任本工作站：{p}（指纹 {t}）</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>demo (simulators)</source>
        <translation>演示（模拟器）</translation>
    </message>
    <message>
        <source>production</source>
        <translation>生产</translation>
    </message>
    <message>
        <source>none (local only)</source>
        <translation>无（仅本地）</translation>
    </message>
    <message>
        <source>trusted ({p})</source>
        <translation>已信任（{p}）</translation>
    </message>
    <message>
        <source>Could not fetch the certificate: {e}</source>
        <translation>无法获取证书：{e}</translation>
    </message>
    <message>
        <source>connection refused: nothing answers on that host and port</source>
        <translation>连接被拒绝：该主机和端口上没有服务应答</translation>
    </message>
    <message>
        <source>no answer (timed out): check the host, the port and the firewall</source>
        <translation>无应答（超时）：请检查主机、端口和防火墙</translation>
    </message>
    <message>
        <source>no route to the host: check the network</source>
        <translation>无法路由到该主机：请检查网络</translation>
    </message>
    <message>
        <source>host name not found: check the spelling or use the IP address</source>
        <translation>找不到主机名：请检查拼写或使用 IP 地址</translation>
    </message>
    <message>
        <source>host name not found (name server not reachable)</source>
        <translation>找不到主机名（无法连接域名服务器）</translation>
    </message>
    <message>
        <source>the connection was closed by the other side</source>
        <translation>连接被对方关闭</translation>
    </message>
</context>
</TS>
