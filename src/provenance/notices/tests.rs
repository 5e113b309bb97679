//! Unit tests of notice parsing.

use super::*;

fn holders(text: &str) -> Vec<(u32, String)> {
    extract(text, 100)
        .into_iter()
        .filter(|n| n.kind == NoticeKind::Copyright)
        .map(|n| (n.line, n.holder.unwrap()))
        .collect()
}

#[test]
fn code_fragments_are_not_holders() {
    for bad in [
        "Copyright Jane Doe\")),",
        "Copyright 2024 Acme\")).toBe(true)",
        "Copyright {name}",
        "Copyright 2020 a => b",
        "Copyright 2020 x::y",
        "Copyright 2020 Foo\\n",
        "Copyright 2020 [Foo]",
        "headed `Copyright 2025 Zhipu AI` in the README",
        "Copyright X",
    ] {
        assert_eq!(holders(bad), vec![], "{bad}");
    }
    assert_eq!(holders("Copyright 2020 Jane O'Hara (Acme)"), vec![(1, "Jane O'Hara".to_string())]);
}

#[test]
fn notices_come_from_comments_only() {
    let rust = "// Copyright 2024 Hanbit AI Lab\nassert!(t.contains(\"Copyright 2024 Zhipu AI\"));\n";
    let got: Vec<_> = extract_in("a.rs", rust, 10).into_iter().filter_map(|n| n.holder).collect();
    assert_eq!(got, vec!["Hanbit AI Lab".to_string()]);
    let js = "expect(x).toBe(\"Copyright 2019 Facebook\");\n/* Copyright 2021 Acme Corp */\n";
    let got: Vec<_> = extract_in("a.test.js", js, 10).into_iter().filter_map(|n| n.holder).collect();
    assert_eq!(got, vec!["Acme Corp".to_string()]);
    let py = "__author__ = \"Someone\"\nNOTICE = 'Copyright 2020 Foo Inc'\n# Copyright 2022 Bar Ltd\n";
    let got: Vec<_> = extract_in("m.py", py, 10).into_iter().filter_map(|n| n.holder).collect();
    assert_eq!(got, vec!["Bar Ltd".to_string()]);
}

#[test]
fn english_forms() {
    let text = "# Copyright 2025 Zhipu AI\n\
                // Copyright (c) 2019-2024, The Qwen Team. All rights reserved.\n\
                /* © 2023 DeepSeek <contact@deepseek.com> */\n\
                # SPDX-FileCopyrightText: 2024 Hanbit Labs <dev@hanbit.example>\n\
                copyright = '2024, Example Org'\n\
                Copyright The Rust Project Developers\n";
    assert_eq!(
        holders(text),
        vec![
            (1, "Zhipu AI".to_string()),
            (2, "The Qwen Team".to_string()),
            (3, "DeepSeek".to_string()),
            (4, "Hanbit Labs".to_string()),
            (5, "Example Org".to_string()),
            (6, "The Rust Project Developers".to_string()),
        ]
    );
}

#[test]
fn prose_and_placeholders_are_not_notices() {
    let text = "The above copyright notice and this permission notice shall be included\n\
                Copyright [yyyy] [name of copyright owner]\n\
                Copyright (C) <year>  <name of author>\n\
                let copyright_holder = x;\n\
                the copyright holders disclaim\n\
                copyright law applies\n";
    assert_eq!(holders(text), vec![]);
    // The Apache License's own text.
    let apache = "   2. Grant of Copyright License. Subject to the terms and conditions of\n\
                  copyright notice that is included in or attached to the work\n";
    assert_eq!(holders(apache), vec![]);
}

#[test]
fn cjk_forms() {
    let text = "# 版权所有 (C) 2024 北京智谱华章科技有限公司\n\
                # 智谱AI 版权所有\n\
                // 저작권 (c) 2024 LG AI Research\n\
                // 著作権者: 株式会社サンプル\n\
                // Copyright © 2024 阿里巴巴 版权所有\n";
    assert_eq!(
        holders(text),
        vec![
            (1, "北京智谱华章科技有限公司".to_string()),
            (2, "智谱AI".to_string()),
            (3, "LG AI Research".to_string()),
            (4, "株式会社サンプル".to_string()),
            (5, "阿里巴巴".to_string()),
        ]
    );
}

#[test]
fn licence_and_author_lines() {
    let n = extract(
        "# SPDX-License-Identifier: Apache-2.0 OR MIT\n# Licensed under the Apache License, Version 2.0\n\
         # Author: Kim Minsu <kim@example.kr>\n__author__ = \"Li Wei\"\n",
        10,
    );
    assert_eq!(n[0].license.as_deref(), Some("Apache-2.0 OR MIT"));
    assert_eq!(n[1].license.as_deref(), Some("Apache-2.0"));
    assert_eq!(n[2].holder.as_deref(), Some("Kim Minsu"));
    assert_eq!(n[3].holder.as_deref(), Some("Li Wei"));
}

#[test]
fn holder_keys_ignore_suffixes() {
    assert_eq!(holder_key("Zhipu AI Inc."), holder_key("Zhipu AI"));
    assert_eq!(holder_key("The Qwen Team"), "qwen");
    assert_eq!(holder_key("北京智谱华章科技有限公司"), "北京智谱华章科技");
}
